"""Name tables the demo needs beyond faker: pinyin, nicknames, homophone typos, accented and very common names."""

from __future__ import annotations

# Pinyin (without tones) of the characters faker's zh_CN given names use.
GIVEN_PINYIN: dict[str, str] = {
    "伟": "wei", "强": "qiang", "磊": "lei", "洋": "yang", "勇": "yong", "军": "jun", "杰": "jie", "涛": "tao",
    "超": "chao", "明": "ming", "刚": "gang", "平": "ping", "辉": "hui", "鹏": "peng", "华": "hua", "飞": "fei",
    "鑫": "xin", "波": "bo", "斌": "bin", "宇": "yu", "浩": "hao", "凯": "kai", "健": "jian", "俊": "jun",
    "帆": "fan", "帅": "shuai", "旭": "xu", "宁": "ning", "龙": "long", "林": "lin", "欢": "huan", "佳": "jia",
    "阳": "yang", "建": "jian", "亮": "liang", "成": "cheng", "峰": "feng", "国": "guo", "晨": "chen", "瑞": "rui",
    "志": "zhi", "兵": "bing", "雷": "lei", "东": "dong", "博": "bo", "彬": "bin", "坤": "kun", "想": "xiang",
    "岩": "yan", "杨": "yang", "文": "wen", "利": "li", "楠": "nan", "红": "hong", "霞": "xia", "芳": "fang",
    "娜": "na", "敏": "min", "静": "jing", "秀": "xiu", "英": "ying", "丽": "li", "艳": "yan", "娟": "juan",
    "兰": "lan", "燕": "yan", "玲": "ling", "桂": "gui", "丹": "dan", "萍": "ping", "玉": "yu", "梅": "mei",
    "莉": "li", "珍": "zhen", "婷": "ting", "凤": "feng", "晶": "jing", "颖": "ying", "雪": "xue", "慧": "hui",
    "倩": "qian", "琴": "qin", "畅": "chang", "云": "yun", "洁": "jie", "柳": "liu", "淑": "shu", "春": "chun",
    "海": "hai", "冬": "dong", "荣": "rong", "莹": "ying", "琳": "lin", "欣": "xin", "香": "xiang", "芝": "zhi",
    "小": "xiao", "金": "jin", "瑜": "yu", "花": "hua", "璐": "lu",
}  # fmt: skip

# Pinyin of the 120 most frequent surnames in faker's zh_CN table (about 90% of its weight).
SURNAME_PINYIN: dict[str, str] = {
    "王": "wang", "李": "li", "张": "zhang", "刘": "liu", "陈": "chen", "杨": "yang", "黄": "huang", "吴": "wu",
    "赵": "zhao", "周": "zhou", "徐": "xu", "孙": "sun", "马": "ma", "朱": "zhu", "胡": "hu", "林": "lin",
    "郭": "guo", "何": "he", "高": "gao", "罗": "luo", "郑": "zheng", "梁": "liang", "谢": "xie", "宋": "song",
    "唐": "tang", "许": "xu", "邓": "deng", "冯": "feng", "韩": "han", "曹": "cao", "曾": "zeng", "彭": "peng",
    "萧": "xiao", "蔡": "cai", "潘": "pan", "田": "tian", "董": "dong", "袁": "yuan", "余": "yu", "叶": "ye",
    "蒋": "jiang", "杜": "du", "苏": "su", "魏": "wei", "程": "cheng", "吕": "lyu", "丁": "ding", "沈": "shen",
    "任": "ren", "姚": "yao", "卢": "lu", "傅": "fu", "钟": "zhong", "姜": "jiang", "崔": "cui", "谭": "tan",
    "廖": "liao", "范": "fan", "汪": "wang", "陆": "lu", "金": "jin", "石": "shi", "戴": "dai", "贾": "jia",
    "韦": "wei", "夏": "xia", "邱": "qiu", "方": "fang", "侯": "hou", "邹": "zou", "熊": "xiong", "孟": "meng",
    "秦": "qin", "白": "bai", "江": "jiang", "阎": "yan", "薛": "xue", "尹": "yin", "段": "duan", "雷": "lei",
    "鞠": "ju", "黎": "li", "史": "shi", "龙": "long", "陶": "tao", "贺": "he", "顾": "gu", "毛": "mao",
    "郝": "hao", "龚": "gong", "邵": "shao", "万": "wan", "钱": "qian", "严": "yan", "赖": "lai", "覃": "qin",
    "洪": "hong", "武": "wu", "莫": "mo", "孔": "kong", "汤": "tang", "向": "xiang", "常": "chang", "温": "wen",
    "康": "kang", "施": "shi", "文": "wen", "牛": "niu", "樊": "fan", "葛": "ge", "邢": "xing", "安": "an",
    "齐": "qi", "易": "yi", "乔": "qiao", "伍": "wu", "庞": "pang", "颜": "yan", "倪": "ni", "庄": "zhuang",
}  # fmt: skip

# A character typed for another that sounds the same (the usual typo of pinyin input methods).
HOMOPHONES: dict[str, str] = {
    "伟": "玮", "丽": "莉", "莉": "丽", "静": "婧", "敏": "旻", "军": "君", "杰": "洁", "洁": "杰", "华": "桦",
    "明": "铭", "涛": "滔", "磊": "垒", "婷": "亭", "芳": "方", "玲": "琳", "琳": "玲", "燕": "艳", "艳": "燕",
    "娟": "鹃", "辉": "晖", "勇": "永", "峰": "锋", "斌": "彬", "彬": "斌", "红": "虹", "欣": "鑫", "鑫": "欣",
    "宇": "雨", "浩": "昊", "俊": "骏", "凤": "风", "颖": "影", "慧": "惠", "春": "纯",
}  # fmt: skip

# Formal given name -> the short forms people write in place of it.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "William": ("Bill", "Will", "Billy"), "Robert": ("Bob", "Rob", "Bobby"), "Elizabeth": ("Liz", "Beth", "Lizzie"),
    "Richard": ("Rick", "Rich", "Dick"), "James": ("Jim", "Jimmy"), "John": ("Jack", "Johnny"),
    "Michael": ("Mike",), "Christopher": ("Chris",), "Joseph": ("Joe",), "Thomas": ("Tom", "Tommy"),
    "Charles": ("Charlie", "Chuck"), "Daniel": ("Dan", "Danny"), "Matthew": ("Matt",), "Anthony": ("Tony",),
    "Steven": ("Steve",), "Andrew": ("Andy", "Drew"), "Joshua": ("Josh",), "Kenneth": ("Ken", "Kenny"),
    "Edward": ("Ed", "Ted", "Eddie"), "Margaret": ("Maggie", "Peggy"), "Katherine": ("Kate", "Katie", "Kathy"),
    "Jennifer": ("Jen", "Jenny"), "Patricia": ("Pat", "Patty"), "Susan": ("Sue", "Susie"),
    "Deborah": ("Deb", "Debbie"), "Rebecca": ("Becky",), "Jessica": ("Jess",), "Samantha": ("Sam",),
    "Alexander": ("Alex",), "Benjamin": ("Ben",), "Nicholas": ("Nick",), "Timothy": ("Tim",), "Gregory": ("Greg",),
    "Jonathan": ("Jon",), "Stephanie": ("Steph",), "Victoria": ("Vicky", "Tori"), "Abigail": ("Abby",),
    "Kimberly": ("Kim",), "Pamela": ("Pam",), "Cynthia": ("Cindy",), "Donald": ("Don",), "Ronald": ("Ron",),
    "Raymond": ("Ray",), "Lawrence": ("Larry",), "Jeffrey": ("Jeff",), "Douglas": ("Doug",),
    "Frederick": ("Fred",), "Nathaniel": ("Nate",), "Zachary": ("Zach",), "Samuel": ("Sam",), "Peter": ("Pete",),
    "Christine": ("Chris", "Tina"), "Barbara": ("Barb",), "Jacqueline": ("Jackie",), "Theodore": ("Ted", "Teddy"),
}  # fmt: skip

FORMAL_MALE = (
    "William", "Robert", "Richard", "James", "John", "Michael", "Christopher", "Joseph", "Thomas", "Charles",
    "Daniel", "Matthew", "Anthony", "Steven", "Andrew", "Joshua", "Kenneth", "Edward", "Alexander", "Benjamin",
    "Nicholas", "Timothy", "Gregory", "Jonathan", "Donald", "Ronald", "Raymond", "Lawrence", "Jeffrey", "Douglas",
    "Frederick", "Nathaniel", "Zachary", "Samuel", "Peter", "Theodore",
)  # fmt: skip
FORMAL_FEMALE = (
    "Elizabeth", "Margaret", "Katherine", "Jennifer", "Patricia", "Susan", "Deborah", "Rebecca", "Jessica",
    "Samantha", "Stephanie", "Victoria", "Abigail", "Kimberly", "Pamela", "Cynthia", "Christine", "Barbara",
    "Jacqueline",
)  # fmt: skip

# Names with accents: the ones that turn into `JosÃ© GarcÃ­a` when UTF-8 is read as Windows-1252.
ACCENTED_MALE = ("José", "Andrés", "René", "François", "Jürgen", "Björn", "Raúl", "Nicolás", "Stéphane", "Óscar")
ACCENTED_FEMALE = ("Zoë", "Renée", "Chloé", "Inés", "Mónica", "Amélie", "Sofía", "Noémie", "Lucía", "Begoña")
ACCENTED_LAST = ("García", "Núñez", "Müller", "Peña", "Gómez", "Hernández", "Pérez", "Jiménez", "Björk", "Léger")

# Very common full names, shared by unrelated people.
COMMON_CN = (("张", "伟"), ("王", "芳"), ("李", "娜"), ("刘", "洋"), ("王", "伟"), ("李", "静"), ("张", "敏"))
COMMON_US_MALE = (("Michael", "Smith"), ("James", "Johnson"), ("David", "Brown"), ("John", "Williams"))
COMMON_US_FEMALE = (("Mary", "Johnson"), ("Jennifer", "Smith"), ("Linda", "Brown"), ("Sarah", "Miller"))

# English names Chinese professionals use at work.
ENGLISH_MALE = ("Kevin", "Jason", "Eric", "Tony", "Leo", "Jack", "Frank", "Vincent", "Allen", "Peter", "Steven")
ENGLISH_FEMALE = ("Lily", "Cindy", "Grace", "Vivian", "Amy", "Emily", "Coco", "Sophia", "Wendy", "Helen", "Anna")
