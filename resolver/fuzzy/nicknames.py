"""Common English given names and their short forms (Bill/William, Liz/Elizabeth, ...): which names are one name."""

from __future__ import annotations

from functools import lru_cache

# Formal name -> short forms and variants people write in its place. A short form may belong to several formal
# names (Al: Albert, Alan, Alfred, Alexander); two given names are equivalent when they share a formal name.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "abigail": ("abby", "abbie", "gail"),
    "abraham": ("abe", "bram"),
    "adam": ("ad",),
    "adrian": ("ade",),
    "agnes": ("aggie", "nessa"),
    "albert": ("al", "bert", "bertie"),
    "alan": ("al", "allan", "allen"),
    "alexander": ("alex", "al", "alec", "sandy", "xander", "lex"),
    "alexandra": ("alex", "alexa", "sandra", "sandy", "lexi"),
    "alfred": ("al", "alf", "alfie", "fred", "freddie"),
    "alice": ("allie", "ali"),
    "alison": ("ali", "allie", "allison"),
    "amanda": ("mandy", "manda"),
    "andrew": ("andy", "drew"),
    "angela": ("angie",),
    "ann": ("anne", "annie", "nan", "nancy", "anna"),
    "anthony": ("tony", "ant"),
    "antonio": ("tony", "toni"),
    "arthur": ("art", "artie"),
    "barbara": ("barb", "babs", "barbie", "bobbie"),
    "benjamin": ("ben", "benny", "benji"),
    "bernard": ("bernie", "barney"),
    "beverly": ("bev",),
    "bradley": ("brad",),
    "brian": ("bryan",),
    "caroline": ("carol", "carrie", "caro"),
    "catherine": ("cathy", "kate", "katie", "cat", "kathy", "katherine", "kathryn", "cathryn", "kat", "kit"),
    "charles": ("charlie", "chuck", "chas", "chaz", "chip"),
    "charlotte": ("charlie", "lottie", "lotte"),
    "christina": ("chris", "tina", "christine", "chrissy", "kristina", "kristine"),
    "christopher": ("chris", "kit", "topher", "kris"),
    "clifford": ("cliff",),
    "cynthia": ("cindy",),
    "daniel": ("dan", "danny"),
    "danielle": ("dani",),
    "david": ("dave", "davy", "davey"),
    "deborah": ("deb", "debbie", "debby", "debra"),
    "dennis": ("denny",),
    "donald": ("don", "donnie"),
    "dorothy": ("dot", "dottie", "dolly", "dora"),
    "douglas": ("doug",),
    "edward": ("ed", "eddie", "ted", "teddy", "ned"),
    "edwin": ("ed", "eddie"),
    "eleanor": ("ellie", "nell", "nora", "elle"),
    "elizabeth": ("liz", "lizzie", "beth", "betty", "betsy", "eliza", "libby", "lisa", "liza", "bess", "elsie"),
    "emily": ("em", "emmy", "millie"),
    "eugene": ("gene",),
    "frances": ("fran", "frannie", "fanny"),
    "francis": ("frank", "fran"),
    "franklin": ("frank",),
    "frederick": ("fred", "freddie", "freddy", "rick"),
    "gabriel": ("gabe",),
    "gabrielle": ("gabby", "gabi", "ella"),
    "gerald": ("gerry", "jerry"),
    "gregory": ("greg",),
    "harold": ("harry", "hal"),
    "henry": ("harry", "hank", "hal"),
    "herbert": ("herb", "bert"),
    "isabella": ("bella", "izzy", "isabel"),
    "jacob": ("jake", "jack"),
    "jacqueline": ("jackie", "jacqui"),
    "james": ("jim", "jimmy", "jamie", "jimbo"),
    "janet": ("jan",),
    "jeffrey": ("jeff", "geoffrey", "geoff"),
    "jennifer": ("jen", "jenny", "jenn", "jennie"),
    "jessica": ("jess", "jessie"),
    "john": ("jack", "johnny", "jon"),
    "jonathan": ("jon", "jonny", "nathan"),
    "joseph": ("joe", "joey", "jo"),
    "josephine": ("jo", "josie"),
    "joshua": ("josh",),
    "judith": ("judy", "jude"),
    "julia": ("julie", "jules"),
    "kenneth": ("ken", "kenny"),
    "kimberly": ("kim", "kimmy"),
    "lawrence": ("larry", "laurie", "lance"),
    "leonard": ("leo", "len", "lenny"),
    "louis": ("lou", "louie"),
    "louise": ("lou", "lulu"),
    "margaret": ("maggie", "meg", "peggy", "marge", "madge", "greta", "daisy", "molly", "maisie", "rita"),
    "martin": ("marty",),
    "mary": ("molly", "polly", "mae", "mamie"),
    "matthew": ("matt", "matty"),
    "melissa": ("mel", "missy", "lissa"),
    "michael": ("mike", "mikey", "mick", "mickey", "mitch"),
    "michelle": ("shelly", "micki"),
    "nathan": ("nate",),
    "nathaniel": ("nate", "nat", "nathan"),
    "nicholas": ("nick", "nicky", "nico"),
    "nicole": ("nikki", "nicky", "cole"),
    "oliver": ("ollie",),
    "pamela": ("pam",),
    "patricia": ("pat", "patty", "trish", "tricia", "patsy"),
    "patrick": ("pat", "paddy", "rick"),
    "peter": ("pete",),
    "philip": ("phil", "pip", "phillip"),
    "rebecca": ("becky", "becca", "bex"),
    "raymond": ("ray",),
    "richard": ("rick", "ricky", "rich", "richie", "dick", "rico"),
    "robert": ("bob", "bobby", "rob", "robbie", "bert", "robin"),
    "ronald": ("ron", "ronnie"),
    "rosemary": ("rose", "rosie"),
    "samantha": ("sam", "sammy", "sami"),
    "samuel": ("sam", "sammy"),
    "sandra": ("sandy",),
    "sarah": ("sara", "sally", "sadie"),
    "stephanie": ("steph", "stevie"),
    "stephen": ("steve", "stevie", "steven"),
    "stanley": ("stan",),
    "susan": ("sue", "susie", "suzy", "suzanne"),
    "terence": ("terry",),
    "theodore": ("ted", "teddy", "theo"),
    "theresa": ("terry", "tess", "tessa", "teresa"),
    "thomas": ("tom", "tommy"),
    "timothy": ("tim", "timmy"),
    "valerie": ("val",),
    "victoria": ("vicky", "vicki", "tori", "vic"),
    "vincent": ("vince", "vinnie"),
    "virginia": ("ginny", "ginger"),
    "walter": ("walt", "wally"),
    "william": ("bill", "billy", "will", "willy", "willie", "liam"),
    "zachary": ("zach", "zack", "zak"),
}

_GROUPS: dict[str, frozenset[str]] = {}
for _formal, _shorts in NICKNAMES.items():
    for _name in (_formal, *_shorts):
        _GROUPS[_name] = _GROUPS.get(_name, frozenset()) | {_formal}


def pair_count() -> int:
    """How many (formal name, short form) pairs the table holds."""
    return sum(len(shorts) for shorts in NICKNAMES.values())


@lru_cache(maxsize=65536)
def formal_names(given: str) -> frozenset[str]:
    """The formal names a folded given name may stand for (itself too, when it is in the table)."""
    return _GROUPS.get(given, frozenset())


def same_given_name(a: str, b: str) -> bool:
    """True when two folded given names are one name, spelled in full or as a short form (`bill`, `william`)."""
    if a == b:
        return True
    groups = formal_names(a)
    return bool(groups) and not groups.isdisjoint(formal_names(b))
