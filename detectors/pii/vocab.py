"""Default word lists of the student-PII detector (each overridable in its settings)."""

from __future__ import annotations

# Words that say a named person is a student (or a student's family is being addressed).
SCHOOL_CONTEXT: tuple[str, ...] = (
    "grade", "grader", "graders", "kindergarten", "kindergartener", "kindergartner", "preschool",
    "class of", "student", "students", "honor roll", "team", "teammate", "jersey", "pictured",
    "captain", "captains", "senior", "seniors", "junior", "freshman", "sophomore", "varsity",
    "mvp", "scored", "points", "pts", "goals", "assists", "rebounds", "yards", "touchdown",
    "record", "champion", "winner", "winners", "placed", "award", "medal", "scholarship",
    "valedictorian", "salutatorian", "homecoming", "prom", "asb", "reader", "readers",
    "recess", "lunch", "backpack", "classmate", "classmates", "room", "mom", "dad", "parent",
    "family", "birthday", "congrats", "congratulations", "proud", "shout out", "shout-out",
    "way to go", "spotlight", "of the week", "of the month", "star student", "cast",
    "starring", "understudy", "section leader", "drum major", "band", "choir", "orchestra",
    "robotics", "science fair", "spelling bee", "geography bee", "yearbook", "name tag",
    "line leader", "lost", "carpool", "athlete", "player", "wrestler", "swimmer", "league",
    "state", "tryouts", "auditions", "graduation", "promotion", "advisory", "class",
    "daughter", "son", "kid", "kids", "child", "grandson", "granddaughter", "niece", "nephew",
)

# Courtesy and job titles written right before a name: the person is an adult.
STAFF_TITLES: tuple[str, ...] = (
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "coach", "principal",
    "superintendent", "nurse", "counselor", "counsellor", "librarian", "teacher", "director",
    "rev", "reverend", "pastor", "officer", "deputy", "sgt", "sergeant", "chief", "judge", "justice", "senator", "sen", "rep", "representative",
    "governor", "gov", "mayor", "councilmember", "commissioner", "grandpa", "grandma",
    "grandmother", "grandfather", "aunt", "auntie", "uncle", "madame", "senor", "senora",
)

# Roles that, written right before a name or as an apposition after it, mark an adult
# (or a public figure), e.g. "parent volunteer Jennifer Walsh", "Karen Mills, PTO president".
ADULT_ROLES: tuple[str, ...] = (
    "teacher", "principal", "superintendent", "nurse", "counselor", "librarian", "coach",
    "director", "custodian", "paraeducator", "para", "volunteer", "parent",
    "driver", "author", "poet", "illustrator", "novelist", "playwright", "artist", "painter",
    "scientist", "inventor", "astronaut", "alum", "alumna", "alumnus", "grad", "star",
    "legend", "idol", "singer", "rapper", "actor", "actress", "musician", "composer", "mayor",
    "senator", "governor", "trustee", "board member", "speaker", "chef", "officer", "mom",
    "dad", "mother", "father", "grandma", "grandpa", "aunt", "uncle", "pastor", "guest",
)

# Officer roles students also hold (ASB president): adult only near an adult organisation.
OFFICER_ROLES: tuple[str, ...] = ("president", "vice president", "vp", "treasurer", "secretary",
                                  "chair")
ADULT_ORGS: tuple[str, ...] = ("pto", "pta", "booster", "boosters", "board", "foundation",
                               "council member", "city", "county", "company", "district")

# Words that introduce a work's author or a famous person rather than a student.
FIGURE_CUES: tuple[str, ...] = (
    "by", "read", "reading", "researched", "studied", "learned about", "style of",
    "named after", "named for", "quote from", "quotes from", "piece from", "play by",
    "honor of", "memory of", "idol", "visit with", "books by", "poems by",
)

# Words after a capitalised name that make it a place or building ("Lincoln Elementary").
PLACE_WORDS: tuple[str, ...] = (
    "elementary", "middle", "high", "school", "academy", "gym", "gymnasium", "field", "stadium",
    "hall", "library", "center", "centre", "auditorium", "park", "pool", "arena", "college",
    "university", "lodge", "street", "st", "avenue", "ave", "road", "rd", "way", "boulevard",
    "blvd", "lane", "drive", "trail", "building", "campus", "lions", "eagles", "day",
    "foundation", "institute", "museum", "county", "district", "memorial", "bridge",
    "valley", "river", "creek", "city", "springs", "heights", "mountain",
)

# Words inside a capitalised run that make it an organisation or an event, not a person.
ORG_WORDS: tuple[str, ...] = (
    "award", "awards", "club", "team", "troop", "scout", "scouts", "classic", "ball", "night",
    "week", "fair", "bee", "league", "festival", "competition", "tournament", "invitational",
    "championship", "program", "council", "committee", "association", "society", "company",
    "inc", "llc", "bank", "hardware", "dental", "pizza", "music", "band", "choir", "orchestra",
    "month", "olympiad", "bowl", "cup", "camp", "church", "services", "media", "news",
)

# Capitalised words that open a phrase before a name ("Congrats Emma", "Starring Leo").
LEAD_WORDS: tuple[str, ...] = (
    "congrats", "congratulations", "kudos", "bravo", "starring", "featuring", "welcome",
    "thanks", "thank", "happy", "dear", "meet", "go", "medalist", "shoutout", "cheers", "hi",
    "hello", "introducing", "pictured", "presenting", "all", "the", "our", "your", "every",
    "this", "that", "these", "and", "with", "by", "from", "to", "for", "name", "goalie",
    "text", "call", "email", "ask", "tell", "see", "help", "please", "note", "remember",
)

# Capitalised words that are never names on their own (days, months, holidays).
NOT_NAMES: tuple[str, ...] = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "june", "july", "august", "september", "october",
    "november", "december", "valentine", "valentines", "halloween", "christmas",
    "thanksgiving", "easter", "hanukkah", "diwali", "eid", "kwanzaa", "juneteenth", "ramadan",
)

# Well-known people who appear in school posts (authors, historical and sports figures,
# namesakes of schools). Districts add their own in settings.
PUBLIC_FIGURES: tuple[str, ...] = (
    "Abraham Lincoln", "George Washington", "Thomas Jefferson", "John Adams",
    "James Madison", "Theodore Roosevelt", "Franklin D. Roosevelt", "Franklin Roosevelt",
    "Eleanor Roosevelt", "John F. Kennedy", "Ulysses S. Grant", "James Garfield",
    "Benjamin Franklin", "Barack Obama", "Michelle Obama", "Joe Biden", "Donald Trump",
    "Kamala Harris", "Martin Luther King", "Rosa Parks", "Harriet Tubman", "Frederick Douglass",
    "Sojourner Truth", "Ruby Bridges", "Cesar Chavez", "Dolores Huerta", "Malcolm X",
    "Susan B. Anthony", "Helen Keller", "Amelia Earhart", "Anne Frank", "Albert Einstein",
    "Marie Curie", "Isaac Newton", "Katherine Johnson", "Neil Armstrong", "Sally Ride",
    "Mae Jemison", "George Washington Carver", "Thomas Edison", "Walt Disney",
    "William Shakespeare", "Mark Twain", "Dr. Seuss", "Beverly Cleary", "Roald Dahl",
    "Judy Blume", "Eric Carle", "Maurice Sendak", "Shel Silverstein", "Maya Angelou",
    "Langston Hughes", "Harper Lee", "J.K. Rowling", "Mo Willems", "Frida Kahlo",
    "Pablo Picasso", "Vincent van Gogh", "Jackie Robinson", "Babe Ruth", "Serena Williams",
    "Venus Williams", "Simone Biles", "Michael Jordan", "LeBron James", "Megan Rapinoe",
    "Russell Wilson", "Ken Griffey Jr.", "Sue Bird", "Taylor Swift", "Beyonce",
    "Patty Murray", "Maria Cantwell", "Jay Inslee", "Bob Ferguson", "Chief Seattle",
)
