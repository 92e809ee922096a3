"""A certificate as a one-page PDF (A4 landscape), English and Traditional Chinese, with the
code and the address where anyone can verify it. The text is drawn in the embedded font of
`incubator.pdf`, so the learner's name reads the same in every PDF reader."""

from __future__ import annotations

from events.academy.schemas import Certificate
from incubator.i18n import hk_text
from incubator.pdf import Document
from incubator.settings import get_settings


def certificate_pdf(cert: Certificate) -> bytes:
    pdf = Document("landscape")
    pdf.set_title(f"Certificate {cert.code}")
    pdf.set_author("Cyberport Web3 Academy")
    pdf.add_page()
    width, height = pdf.w, pdf.h
    pdf.set_line_width(3)
    pdf.rect(30, 30, width - 60, height - 60)
    pdf.centred(110, "Certificate of Completion", 30, bold=True)
    pdf.centred(142, "結業證書", 20)
    pdf.centred(190, "Cyberport Web3 Academy certifies that", 14)
    pdf.use(28)
    pdf.centred(240, pdf.fitted(cert.name, width - 120), 28)
    pdf.centred(280, "has completed the course", 14)
    pdf.use(20, bold=True)
    pdf.centred(315, pdf.fitted(cert.course_title_en, width - 120), 20, bold=True)
    if cert.course_title_zh:
        pdf.use(18)
        pdf.centred(344, pdf.fitted(cert.course_title_zh, width - 120), 18)
    detail = f"Sessions attended: {cert.attended_percent}%"
    if cert.score is not None:
        detail += f"   Assessment: {cert.score}%"
    pdf.centred(382, detail, 12)
    pdf.centred(400, f"Issued {hk_text(cert.issued_at, '%d %B %Y')} (Hong Kong)", 12)
    pdf.centred(height - 95, cert.code, 13, bold=True)
    base = get_settings().base_url
    pdf.centred(height - 75, f"Verify at {base}/academy/certificates/{cert.code}", 10)
    if cert.revoked_at:
        pdf.set_text_color(178, 26, 26)
        pdf.centred(height / 2, "REVOKED", 40, bold=True)
    return pdf.bytes()
