"""A certificate as a one-page PDF (A4 landscape), English and Traditional Chinese, with the
code and the address where anyone can verify it. Chinese text uses a standard CJK font
(MSung-Light) that PDF readers supply, so nothing is embedded or downloaded."""

from __future__ import annotations

from typing import BinaryIO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from events.academy.schemas import Certificate
from incubator.i18n import hk_text
from incubator.settings import get_settings

_CJK = "MSung-Light"
_registered: list[bool] = []


def cjk_font() -> str:
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(_CJK))
        _registered.append(True)
    return _CJK


def certificate_pdf(cert: Certificate, out: BinaryIO) -> None:
    cjk = cjk_font()
    width, height = landscape(A4)
    pdf = Canvas(out, pagesize=(width, height))
    pdf.setTitle(f"Certificate {cert.code}")
    pdf.setAuthor("Cyberport Web3 Academy")
    pdf.setLineWidth(3)
    pdf.rect(30, 30, width - 60, height - 60)
    centre = width / 2
    pdf.setFont("Helvetica-Bold", 30)
    pdf.drawCentredString(centre, height - 110, "Certificate of Completion")
    pdf.setFont(cjk, 20)
    pdf.drawCentredString(centre, height - 140, "結業證書")
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(centre, height - 190, "Cyberport Web3 Academy certifies that")
    pdf.setFont(cjk, 28)
    pdf.drawCentredString(centre, height - 240, cert.name)
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(centre, height - 280, "has completed the course")
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawCentredString(centre, height - 315, cert.course_title_en)
    if cert.course_title_zh:
        pdf.setFont(cjk, 18)
        pdf.drawCentredString(centre, height - 342, cert.course_title_zh)
    pdf.setFont("Helvetica", 12)
    detail = f"Sessions attended: {cert.attended_percent}%"
    if cert.score is not None:
        detail += f"   Assessment: {cert.score}%"
    pdf.drawCentredString(centre, height - 380, detail)
    pdf.drawCentredString(
        centre, height - 400, f"Issued {hk_text(cert.issued_at, '%d %B %Y')} (Hong Kong)"
    )
    pdf.setFont("Courier-Bold", 13)
    pdf.drawCentredString(centre, 95, cert.code)
    pdf.setFont("Helvetica", 10)
    base = get_settings().base_url
    pdf.drawCentredString(centre, 75, f"Verify at {base}/academy/certificates/{cert.code}")
    if cert.revoked_at:
        pdf.setFont("Helvetica-Bold", 40)
        pdf.setFillColorRGB(0.7, 0.1, 0.1)
        pdf.drawCentredString(centre, height / 2, "REVOKED")
    pdf.showPage()
    pdf.save()
