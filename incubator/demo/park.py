"""A demo park that looks like Cyberport: centres, hubs, 2,000+ start-ups, teams, users.

Deterministic: the same --startups and --seed give the same park, row for row.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from centres.tables import Lease, Unit
from events.tables import (
    AssessmentScore,
    Certificate,
    Event,
    EventCluster,
    Registration,
    SessionAttendance,
)
from incubator.auth.passwords import hash_password
from incubator.auth.tables import Role, User
from incubator.db import analyze, is_postgres, write_transaction
from incubator.db.bulk import bulk_insert, bulk_load_cache, indexes_deferred
from incubator.demo.academy import build_academy
from incubator.demo.centres import build_space
from incubator.demo.events import build_events, park_scale
from incubator.demo.partners import build_partners, make_exports
from incubator.i18n import today_hk
from incubator.partners.tables import (
    ConsentChange,
    PartnerMembership,
    PartnerPark,
    SharingConsent,
)
from incubator.startups.search import search_document
from incubator.startups.services import forget_choice_lists
from incubator.startups.tables import (
    Centre,
    Cluster,
    ManagerAssignment,
    Programme,
    Startup,
    StartupAffiliation,
    StartupCluster,
    StartupMembership,
    StartupProgramme,
    TeamMember,
)

DEMO_PASSWORD = "cyberport-demo"  # noqa: S105 - printed for the demo park only
REFERENCE_DAY = date(2026, 1, 1)  # generated dates are spread around this day

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
PREFIXES = [
    ("Harbour", "海港"),
    ("Peak", "山頂"),
    ("Jade", "翡翠"),
    ("Dragon", "龍騰"),
    ("Lantern", "燈籠"),
    ("Pearl", "明珠"),
    ("Victoria", "維港"),
    ("Kowloon", "九龍"),
    ("Orchid", "蘭花"),
    ("Tide", "潮汐"),
    ("Summit", "峰頂"),
    ("Bamboo", "竹林"),
    ("Phoenix", "鳳凰"),
    ("Lion Rock", "獅子山"),
    ("Star Ferry", "天星"),
    ("Nova", "新星"),
    ("Quantum", "量子"),
    ("Cobalt", "鈷藍"),
    ("Silk", "絲綢"),
    ("Typhoon", "颱風"),
    ("Junk", "帆船"),
    ("Neon", "霓虹"),
    ("Lotus", "蓮花"),
    ("Granite", "花崗"),
    ("Aurora", "極光"),
]
CORES = {
    "fintech": [
        ("Pay", "支付"),
        ("Ledger", "賬本"),
        ("Wealth", "財富"),
        ("Credit", "信貸"),
        ("Insure", "保險"),
        ("Trade", "交易"),
    ],
    "smart-living": [
        ("Home", "家居"),
        ("Mobility", "出行"),
        ("Energy", "能源"),
        ("City", "城市"),
        ("Care", "關護"),
        ("Air", "空氣"),
    ],
    "ai-data": [
        ("Vision", "視覺"),
        ("Mind", "智腦"),
        ("Data", "數據"),
        ("Logic", "邏輯"),
        ("Signal", "訊號"),
        ("Insight", "洞察"),
    ],
    "web3": [
        ("Chain", "鏈"),
        ("Block", "區塊"),
        ("Token", "代幣"),
        ("Mint", "鑄幣"),
        ("Vault", "金庫"),
        ("Node", "節點"),
    ],
    "digital-entertainment": [
        ("Play", "遊戲"),
        ("Pixel", "像素"),
        ("Arena", "競技"),
        ("Story", "故事"),
        ("Sound", "聲音"),
        ("Motion", "動態"),
    ],
}
SUFFIXES = [
    ("Labs", "實驗室"),
    ("Technologies", "科技"),
    ("Systems", "系統"),
    ("Works", "工房"),
    ("Studio", "工作室"),
    ("Group", "集團"),
]
THINGS = {
    "fintech": [
        ("cross-border payments", "跨境支付方案", "payments"),
        ("digital lending", "數碼借貸平台", "lending"),
        ("regtech compliance tools", "監管科技合規工具", "regtech"),
        ("insurtech claims", "保險科技理賠系統", "insurtech"),
    ],
    "smart-living": [
        ("smart building sensors", "智能大廈感應器", "iot"),
        ("EV charging networks", "電動車充電網絡", "ev"),
        ("elderly care devices", "長者護理裝置", "agetech"),
        ("urban mobility apps", "城市出行應用程式", "mobility"),
    ],
    "ai-data": [
        ("computer vision for retail", "零售電腦視覺", "computer vision"),
        ("large language model assistants", "大型語言模型助理", "llm"),
        ("data analytics platforms", "數據分析平台", "analytics"),
        ("medical imaging AI", "醫學影像人工智能", "healthtech"),
    ],
    "web3": [
        ("tokenised real-world assets", "現實資產代幣化", "tokenisation"),
        ("digital identity wallets", "數碼身份錢包", "identity"),
        ("blockchain supply chains", "區塊鏈供應鏈", "blockchain"),
        ("NFT ticketing", "NFT 票務", "nft"),
    ],
    "digital-entertainment": [
        ("mobile games", "手機遊戲", "games"),
        ("esports tournaments", "電子競技賽事", "esports"),
        ("AR experiences", "擴增實境體驗", "ar"),
        ("animation production", "動畫製作", "animation"),
    ],
}
AUDIENCES = [
    ("banks", "銀行"),
    ("SMEs", "中小企"),
    ("families", "家庭"),
    ("property managers", "物業管理公司"),
    ("retailers", "零售商"),
    ("hospitals", "醫院"),
    ("schools", "學校"),
    ("logistics firms", "物流公司"),
]
SURNAMES = [
    ("Chan", "陳"),
    ("Wong", "黃"),
    ("Lee", "李"),
    ("Cheung", "張"),
    ("Lau", "劉"),
    ("Ho", "何"),
    ("Ng", "吳"),
    ("Leung", "梁"),
    ("Tang", "鄧"),
    ("Yip", "葉"),
    ("Lam", "林"),
    ("Tsang", "曾"),
]
GIVEN = [
    ("Ka Ming", "家明"),
    ("Wing Yan", "詠欣"),
    ("Chi Hung", "志雄"),
    ("Mei Ling", "美玲"),
    ("Tsz Kin", "子健"),
    ("Hoi Yan", "凱欣"),
    ("Siu Fung", "少峰"),
    ("Ka Yee", "嘉儀"),
    ("Man Kit", "文傑"),
    ("Pui Shan", "佩珊"),
]
TITLES = [
    "CEO and Co-founder",
    "CTO and Co-founder",
    "COO",
    "Head of Product",
    "Lead Engineer",
    "Designer",
    "Business Development Manager",
    "Data Scientist",
]
STAGES = [
    ("idea", 0.08),
    ("pre_seed", 0.22),
    ("seed", 0.34),
    ("series_a", 0.2),
    ("series_b_plus", 0.1),
    ("growth", 0.06),
]
CENTRE_WEIGHTS = [
    ("entrepreneurship", 0.55),
    ("technology", 0.15),
    ("campus-development", 0.12),
    ("collaboration", 0.10),
    ("knowledge", 0.08),
]
ONSITE_SHARE = 0.45  # about 900 of 2,000 hold a lease in force today
# The tables the demo fills in bulk: their indexes and checks are built once, after the load.
BULK_LOADED = (
    Startup,
    StartupCluster,
    StartupAffiliation,
    StartupProgramme,
    TeamMember,
    Unit,
    Lease,
    Event,
    EventCluster,
    Registration,
    SessionAttendance,
    AssessmentScore,
    Certificate,
    SharingConsent,
    ConsentChange,
)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    note: str


def _picker(weighted: list[tuple[str, float]]) -> Callable[[random.Random], str]:
    """A weighted choice with its cumulative weights worked out once (the same draws as
    `rng.choices(keys, weights)`, without summing the weights 300,000 times)."""
    keys = [k for k, _ in weighted]
    cumulative = list(itertools.accumulate(w for _, w in weighted))
    return lambda rng: rng.choices(keys, cum_weights=cumulative)[0]


async def database_is_empty() -> bool:
    return not await Startup.exists() and not await User.exists()


async def build_demo_park(
    startups: int = 2000, seed: int = 2023, progress: Callable[[str], None] | None = None
) -> list[DemoLogin]:
    """Fill an empty database with the demo park; returns the demo logins."""
    say = progress or (lambda _message: None)
    rng = random.Random(seed)
    password_hash = await hash_password(DEMO_PASSWORD)
    async with write_transaction(), bulk_load_cache():
        centre_ids = await _reference_data()
        cluster_ids = {c["slug"]: c["id"] for c in await Cluster.select(Cluster.id, Cluster.slug)}
        programme_ids = {
            p["slug"]: p["id"] for p in await Programme.select(Programme.id, Programme.slug)
        }
        say(f"reference data: {len(centre_ids)} centres and hubs, {len(cluster_ids)} clusters")
        async with indexes_deferred(*BULK_LOADED):
            onsite, offsite = await _startups(
                rng, startups, centre_ids, cluster_ids, programme_ids, say
            )
            await build_space(seed, today_hk(), onsite, offsite, centre_ids, say)
            logins = await _users(rng, startups, centre_ids, password_hash)
            scale = park_scale(startups)
            codes = await build_events(seed, today_hk(), centre_ids, cluster_ids, say, scale)
            await build_academy(seed, today_hk(), centre_ids, say, scale, codes)
            exports = await build_partners(seed, today_hk(), say)
        say("indexes and constraints built")
        if is_postgres():
            for table in (
                "startup",
                "team_member",
                "startup_programme",
                "startup_cluster",
                "startup_affiliation",
                "app_user",
                "building",
                "unit",
                "lease",
                "venue",
                "event",
                "event_cluster",
                "registration",
                "sharing_consent",
                "consent_change",
                "export_item",
                "course",
                "course_prerequisite",
                "session_attendance",
                "assessment_score",
                "certificate",
            ):
                await Startup.raw(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
    await make_exports(exports, say)
    await analyze()
    forget_choice_lists()  # the park's reference data is new
    say(f"users: {len(logins)} demo logins")
    return logins


async def _reference_data() -> dict[str, int]:
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


async def _startups(
    rng, count, centre_ids, cluster_ids, programme_ids, say
) -> tuple[list[int], list[int]]:
    """Start-ups and their links; returns the ids of those to be onsite and offsite."""
    pick_cluster = _picker([(c[0], c[3]) for c in CLUSTERS])
    pick_stage, pick_centre = _picker(STAGES), _picker(CENTRE_WEIGHTS)
    hub_of = {c[0]: c[4] for c in CLUSTERS}
    startups, clusters, affiliations, programmes, team = [], [], [], [], []
    used_names: dict[str, int] = {}
    onsite_ids: list[int] = []
    offsite_ids: list[int] = []
    member_id = 0
    base_time = datetime(2024, 1, 1, tzinfo=UTC)
    for sid in range(1, count + 1):
        primary = pick_cluster(rng)
        prefix_en, prefix_zh = rng.choice(PREFIXES)
        core_en, core_zh = rng.choice(CORES[primary])
        suffix_en, suffix_zh = rng.choice(SUFFIXES)
        name_en = f"{prefix_en} {core_en} {suffix_en}"
        name_zh = f"{prefix_zh}{core_zh}{suffix_zh}"
        seen = used_names.get(name_en, 0)
        used_names[name_en] = seen + 1
        if seen:
            name_en, name_zh = f"{name_en} {seen + 1}", f"{name_zh}{seen + 1}"
        slug = name_en.lower().replace(" ", "-")
        thing_en, thing_zh, tag = rng.choice(THINGS[primary])
        audience_en, audience_zh = rng.choice(AUDIENCES)
        description_en = (
            f"{name_en} builds {thing_en} for {audience_en} in Hong Kong and the Greater Bay Area."
        )
        description_zh = f"{name_zh}為香港及大灣區的{audience_zh}打造{thing_zh}。"
        links = {primary}
        if rng.random() < 0.15:
            links.add(rng.choice([c[0] for c in CLUSTERS]))
        tags = sorted(
            {
                tag,
                primary.replace("-", " "),
                rng.choice(["b2b", "b2c", "saas", "hardware", "platform"]),
            }
        )
        founded = rng.randint(2012, 2025)
        team_size = max(1, int(rng.lognormvariate(1.8, 0.8)))
        onsite = rng.random() < ONSITE_SHARE
        (onsite_ids if onsite else offsite_ids).append(sid)
        updated = base_time + timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
        stage = pick_stage(rng)
        tag_text = ",".join(tags)
        startups.append(
            (
                sid,
                slug,
                name_en,
                name_zh,
                description_en,
                description_zh,
                f"https://{slug}.example",
                founded,
                stage,
                team_size,
                "",
                f"hello@{slug}.example",
                "",
                tag_text,
                "active",
                search_document(name_en, name_zh, description_en, description_zh, tag_text),
                updated - timedelta(days=200),
                updated,
            )
        )
        for cluster in sorted(links):
            clusters.append((sid, cluster_ids[cluster]))
        centre = pick_centre(rng)
        units = {centre} | {hub_of[c] for c in links}
        if onsite and centre != "campus-development" and rng.random() < 0.3:
            units.add("campus-development")
        if primary == "ai-data" and rng.random() < 0.2:
            units.add("ai-supercomputing")
        for unit in sorted(units):
            affiliations.append((sid, centre_ids[unit]))
        if rng.random() < 0.6:
            programme = (
                "smart-living-incubation"
                if primary == "smart-living" and rng.random() < 0.4
                else rng.choice(
                    [
                        "cyberport-incubation",
                        "creative-micro-fund",
                        "digital-transformation",
                        "accelerator-support",
                    ]
                )
            )
            started = REFERENCE_DAY - timedelta(days=rng.randint(30, 6 * 365))
            ended = (
                started + timedelta(days=730)
                if started + timedelta(days=730) < REFERENCE_DAY
                else None
            )
            status = "graduated" if ended else "incubating"
            programmes.append((sid, programme_ids[programme], status, started, ended))
        for position in range(min(team_size, rng.randint(2, 5))):
            member_id += 1
            surname_en, surname_zh = rng.choice(SURNAMES)
            given_en, given_zh = rng.choice(GIVEN)
            email = f"{given_en.lower().replace(' ', '.')}.{surname_en.lower()}@{slug}.example"
            team.append(
                (
                    member_id,
                    sid,
                    f"{given_en} {surname_en}",
                    f"{surname_zh}{given_zh}",
                    TITLES[position] if position < 2 else rng.choice(TITLES[2:]),
                    email,
                    position < 2,
                    position,
                )
            )
    say(f"start-ups generated: {len(startups)}")
    await bulk_insert(
        Startup,
        (
            "id",
            "slug",
            "name_en",
            "name_zh",
            "description_en",
            "description_zh",
            "website",
            "founded_year",
            "stage",
            "team_size",
            "contact_name",
            "contact_email",
            "contact_phone",
            "tags",
            "status",
            "search_document",
            "created_at",
            "updated_at",
        ),
        startups,
    )
    say("start-ups inserted")
    await bulk_insert(StartupCluster, ("startup", "cluster"), clusters)
    await bulk_insert(StartupAffiliation, ("startup", "centre"), affiliations)
    await bulk_insert(
        StartupProgramme, ("startup", "programme", "status", "started_on", "ended_on"), programmes
    )
    await bulk_insert(
        TeamMember,
        ("id", "startup", "name", "name_zh", "title", "email", "is_founder", "sort_order"),
        team,
    )
    say(
        f"links inserted: {len(clusters)} clusters, {len(affiliations)} affiliations, "
        f"{len(programmes)} programmes, {len(team)} team members"
    )
    return onsite_ids, offsite_ids


async def _users(
    rng, startups: int, centre_ids: dict[str, int], password_hash: str
) -> list[DemoLogin]:
    logins: list[DemoLogin] = []

    async def user(email: str, name: str, role: Role, note: str, language: str = "en") -> int:
        rows = await User.insert(
            User(
                email=email,
                name=name,
                password_hash=password_hash,
                role=role.value,
                language=language,
            )
        ).returning(User.id)
        logins.append(DemoLogin(role.value, email, note))
        return rows[0]["id"]

    await user("admin@cyberport.example", "Park Administrator", Role.admin, "the whole park")
    for slug, en, *_ in CENTRES:
        uid = await user(f"manager.{slug}@cyberport.example", f"{en} Manager", Role.manager, en)
        await ManagerAssignment.insert(ManagerAssignment(user=uid, centre=centre_ids[slug]))
    uid = await user(
        "manager.web3hub@cyberport.example", "Web3Hub Manager", Role.manager, "Web3Hub@Cyberport"
    )
    await ManagerAssignment.insert(ManagerAssignment(user=uid, centre=centre_ids["web3hub"]))
    founders = (
        await Startup.select(Startup.id, Startup.slug, Startup.name_en)
        .order_by(Startup.id)
        .limit(min(startups, 25))
    )
    for index, row in enumerate(founders):
        uid = await user(
            f"founder@{row['slug']}.example",
            f"Founder of {row['name_en']}",
            Role.member,
            row["name_en"],
            language="zh-Hant" if index % 3 == 2 else "en",
        )
        await StartupMembership.insert(StartupMembership(startup=row["id"], user=uid, role="owner"))
    for name, country, city, website, email in [
        (
            "Shanghai Lingang Group",
            "Mainland China",
            "Shanghai",
            "https://lingang.example",
            "partner@lingang.example",
        ),
        (
            "Dubai Future Foundation",
            "United Arab Emirates",
            "Dubai",
            "https://dff.example",
            "partner@dff.example",
        ),
        (
            "Qianhai Authority",
            "Mainland China",
            "Shenzhen",
            "https://qianhai.example",
            "partner@qianhai.example",
        ),
    ]:
        rows = await PartnerPark.insert(
            PartnerPark(name=name, country=country, city=city, website=website)
        ).returning(PartnerPark.id)
        uid = await user(email, f"{name} liaison", Role.partner, name)
        await PartnerMembership.insert(PartnerMembership(user=uid, partner=rows[0]["id"]))
    return logins
