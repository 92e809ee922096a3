"""The demo park's reference data: the five centres, the hubs, clusters and programmes."""

from __future__ import annotations

from datetime import date

from incubator.startups.tables import Centre, Cluster, Programme

CENTRES = [
    (
        "campus-development",
        "Campus Development Centre",
        "園區發展中心",
        "Professional services to tenants: space and facilities.",
        "為租戶提供專業服務：空間及設施。",
    ),
    (
        "collaboration",
        "Collaboration Centre",
        "協作中心",
        "A reciprocal network of ICT businesses around the world: partners and MOUs.",
        "連繫全球資訊及通訊科技企業的互惠網絡：夥伴及合作備忘錄。",
    ),
    (
        "entrepreneurship",
        "Entrepreneurship Centre",
        "創業中心",
        "Easing the way for small businesses and start-ups: incubation.",
        "為中小企及初創企業鋪路：培育計劃。",
    ),
    (
        "knowledge",
        "Knowledge Centre",
        "知識中心",
        "IT integration and talent development in the community: courses.",
        "推動資訊科技融合及人才培育：課程。",
    ),
    (
        "technology",
        "Technology Centre",
        "科技中心",
        "Advanced tools for ICT specialists and entrepreneurs.",
        "為資訊及通訊科技專才及創業者提供先進工具。",
    ),
]


HUBS = [
    (
        "web3hub",
        "Web3Hub@Cyberport",
        "Web3Hub@數碼港",
        "Hong Kong's largest Web3 community, opened January 2023.",
        "香港最大的 Web3 社群，於 2023 年 1 月開幕。",
    ),
    (
        "fintech-hub",
        "FinTech Hub",
        "金融科技中心",
        "Close to 400 FinTech companies.",
        "近 400 間金融科技公司。",
    ),
    (
        "smart-living-hub",
        "Smart Living Hub",
        "智慧生活中心",
        "Smart living and smart city start-ups.",
        "智慧生活及智慧城市初創企業。",
    ),
    (
        "ai-data-hub",
        "AI & Data Science Hub",
        "人工智能及數據科學中心",
        "AI and data science start-ups.",
        "人工智能及數據科學初創企業。",
    ),
    (
        "ai-supercomputing",
        "AI Supercomputing Centre",
        "人工智能超算中心",
        "Being set up in phases from 2024.",
        "自 2024 年起分階段設立。",
    ),
    (
        "digital-entertainment-hub",
        "Digital Entertainment Hub",
        "數碼娛樂中心",
        "Games, esports and digital entertainment.",
        "遊戲、電子競技及數碼娛樂。",
    ),
]


# (slug, English, Chinese, share of start-ups as primary cluster, hub it belongs to)
CLUSTERS = [
    ("fintech", "FinTech", "金融科技", 0.20, "fintech-hub"),
    (
        "smart-living",
        "Smart Living and Smart City",
        "智慧生活及智慧城市",
        0.385,
        "smart-living-hub",
    ),
    ("ai-data", "AI and Data Science", "人工智能及數據科學", 0.09, "ai-data-hub"),
    ("web3", "Web3", "Web3", 0.105, "web3hub"),
    (
        "digital-entertainment",
        "Digital Entertainment",
        "數碼娛樂",
        0.22,
        "digital-entertainment-hub",
    ),
]


PROGRAMMES = [
    (
        "cyberport-incubation",
        "Cyberport Incubation Programme",
        "數碼港培育計劃",
        "entrepreneurship",
    ),
    (
        "smart-living-incubation",
        "Incubation Programme for Smart Living Start-ups",
        "智慧生活初創企業培育計劃",
        "entrepreneurship",
    ),
    (
        "digital-transformation",
        "Digital Transformation Support Pilot Programme",
        "數碼轉型支援先導計劃",
        "entrepreneurship",
    ),
    (
        "creative-micro-fund",
        "Cyberport Creative Micro Fund",
        "數碼港創意微型基金",
        "entrepreneurship",
    ),
    (
        "accelerator-support",
        "Cyberport Accelerator Support Programme",
        "數碼港加速器支援計劃",
        "collaboration",
    ),
]


async def build_reference_data() -> dict[str, int]:
    for order, (slug, en, zh, focus_en, focus_zh) in enumerate(CENTRES):
        await Centre.insert(
            Centre(
                slug=slug,
                kind="centre",
                name_en=en,
                name_zh=zh,
                focus_en=focus_en,
                focus_zh=focus_zh,
                sort_order=order,
            )
        )
    for order, (slug, en, zh, focus_en, focus_zh) in enumerate(HUBS, start=10):
        await Centre.insert(
            Centre(
                slug=slug,
                kind="hub",
                name_en=en,
                name_zh=zh,
                focus_en=focus_en,
                focus_zh=focus_zh,
                sort_order=order,
            )
        )
    centre_ids = {c["slug"]: c["id"] for c in await Centre.select(Centre.id, Centre.slug)}
    for slug, en, zh, _share, _hub in CLUSTERS:
        await Cluster.insert(Cluster(slug=slug, name_en=en, name_zh=zh))
    for slug, en, zh, centre in PROGRAMMES:
        await Programme.insert(
            Programme(slug=slug, name_en=en, name_zh=zh, centre=centre_ids[centre])
        )
    return centre_ids


REFERENCE_DAY = date(2026, 1, 1)  # generated dates are spread around this day
