"""The demo park's wording of start-up descriptions."""

# How a start-up says what it does, where, and what it has to show: varied enough that a
# search of the demo park finds some start-ups, not all of them.
PITCHES = [
    ("{name} builds {thing} for {who} in {where}.", "{name}為{where}的{who}打造{thing}。"),
    (
        "{name} makes {thing} that {who} in {where} can set up in a day.",
        "{name}推出{where}{who}一天內便可啟用的{thing}。",
    ),
    (
        "{name}: {thing} designed with {who} across {where}.",
        "{name}：與{where}{who}共同設計的{thing}。",
    ),
    (
        "Founded by engineers from {where}, {name} offers {thing} to {who}.",
        "由{where}工程師創立的{name}，為{who}提供{thing}。",
    ),
]
MARKETS = [
    ("Hong Kong", "香港"),
    ("Hong Kong and the Greater Bay Area", "香港及大灣區"),
    ("the Greater Bay Area", "大灣區"),
    ("Southeast Asia", "東南亞"),
    ("Asia Pacific", "亞太區"),
    ("Shenzhen", "深圳"),
]
TRACTION = [
    ("Piloting with two listed companies.", "正與兩間上市公司進行試點。"),
    ("Backed by angel investors in Central.", "獲中環的天使投資者支持。"),
    ("Now hiring its first sales team.", "正招聘首支銷售團隊。"),
    ("Raised a seed round in 2024.", "於2024年完成種子輪融資。"),
    ("Serving customers in five markets.", "服務五個市場的客戶。"),
    ("Winner of a Cyberport pitch night.", "曾贏得數碼港路演之夜。"),
    ("", ""),
]
