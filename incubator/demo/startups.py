"""The demo park's start-ups: names, descriptions, stages and centres drawn from a seeded random."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from incubator.db.bulk import bulk_insert
from incubator.demo.reference import CLUSTERS, REFERENCE_DAY
from incubator.demo.wording import MARKETS, PITCHES, TRACTION
from incubator.startups.services.terms import search_document
from incubator.startups.tables import (
    Startup,
    StartupAffiliation,
    StartupCluster,
    StartupProgramme,
    TeamMember,
)

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


def picker(weighted: list[tuple[str, float]]) -> Callable[[random.Random], str]:
    """A weighted choice with its cumulative weights worked out once (the same draws as
    `rng.choices(keys, weights)`, without summing the weights 300,000 times)."""
    keys = [k for k, _ in weighted]
    cumulative = list(itertools.accumulate(w for _, w in weighted))
    return lambda rng: rng.choices(keys, cum_weights=cumulative)[0]


async def build_startups(
    rng, count, centre_ids, cluster_ids, programme_ids, say
) -> tuple[list[int], list[int]]:
    """Start-ups and their links; returns the ids of those to be onsite and offsite."""
    pick_cluster = picker([(c[0], c[3]) for c in CLUSTERS])
    pick_stage, pick_centre = picker(STAGES), picker(CENTRE_WEIGHTS)
    hub_of = {c[0]: c[4] for c in CLUSTERS}
    startups, clusters, affiliations, programmes, team = [], [], [], [], []
    used_names: dict[str, int] = {}
    onsite_ids: list[int] = []
    offsite_ids: list[int] = []
    member_id = 0
    base_time = datetime(2024, 1, 1, tzinfo=UTC)
    # The descriptions' wording from a generator of its own, so that the park's other draws
    # (stages, centres, who is onsite) stay as they were for a seed.
    words = random.Random(rng.random())
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
        pitch_en, pitch_zh = words.choice(PITCHES)
        where_en, where_zh = words.choice(MARKETS)
        extra_en, extra_zh = words.choice(TRACTION)
        said = {"thing": thing_en, "who": audience_en, "where": where_en}
        description_en = f"{pitch_en.format(name=name_en, **said)} {extra_en}".strip()
        told = {"thing": thing_zh, "who": audience_zh, "where": where_zh}
        description_zh = pitch_zh.format(name=name_zh, **told) + extra_zh
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
