"""The word lists behind the rule-based extractor: cues, not names.

Names come from the gazetteer (places) and from the text itself; these lists
only say what a capitalised word next to a name tells about it ("President",
"Ministry", "Province") and which capitalised words are never names.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


FUNCTION_WORDS = _words("""
    A An The This That These Those It Its It's He She They We You I Me Him Her Them Us Our Their His My Your
    In On At By For From To Of With Without Into Onto Over Under After Before During Since Until Upon
    About Above Across Against Along Among Around Behind Below Beside Besides Between Beyond Despite
    Inside Outside Through Throughout Toward Towards Via Within Amid Amidst
    And But Or Nor So Yet If When While Where Whereas Whether Because Although Though Unless As Than
    What Which Who Whom Whose Why How There Here Then Now Today Tomorrow Yesterday Tonight
    All Any Both Each Every Few Many Most Much Several Some Such No Not None Neither Either Other Another
    One Two Three Four Five Six Seven Eight Nine Ten First Second Third Last Next Final
    Is Are Was Were Be Been Being Has Have Had Do Does Did Will Would Shall Should Can Could May Might Must
    Also Still Just Only Even Already Again Meanwhile However Moreover Furthermore Nevertheless Nonetheless
    Instead Indeed Thus Therefore Hence Otherwise Overall Later Earlier Recently Currently Finally
    According Asked Speaking Following Including Regarding Despite Unlike Like Please Thanks Yes
    Mr Mrs Ms Dr
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    January February March April June July August September October November December
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
    Reading Time Photo Photos Video Image Images Source Sources Update Updated Editor Editorial
    Breaking Opinion Analysis Comment Comments Share Read More Related Subscribe Advertisement
    EST GMT UTC BST CET AM PM TV CEO OK II III IV VI VII VIII IX XI XII PDF URL FAQ COVID COVID-19
""")
"""Capitalised words that are not names themselves (a name can still follow them)."""

DATE_WORDS = _words("""
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    January February March April May June July August September October November December
""")
"""Words that end a name: "Geneva on Monday", "Baku in October"."""

NAME_PARTICLES = _words("bin ibn al el van von de da di du del der dos das le la")
"""Lower-case particles inside people's names ("Osama bin Laden", "Ludwig van Beethoven")."""

CONNECTORS = _words("of for and the de del der da di du van von bin al la le y on in at")
"""Lower-case words that may sit inside a name ("Bank of England", "Ministry of Foreign Affairs")."""

ROLE_TITLES = _words("""
    President President-elect Vice Prime Minister Ministers Foreign Defence Defense Interior Finance Justice
    Secretary Secretary-General General Gen Lt Lieutenant Colonel Col Major Maj Captain Capt Admiral Adm
    Commander Sergeant Sgt Corporal Marshal Brigadier Chief Deputy Acting Former Ex Senior Top
    Mr Mrs Ms Miss Dr Prof Professor Sir Dame Lord Lady King Queen Prince Princess Pope Patriarch
    Chancellor Senator Sen Rep Representative Congressman Congresswoman Governor Gov Mayor Ambassador
    Envoy Special Spokesman Spokeswoman Spokesperson Judge Justice Director Chairman Chairwoman Chair
    Leader Premier Sheikh Emir Sultan Ayatollah Archbishop Bishop Cardinal Father Rev Reverend Rabbi Imam
    Coach Officer Inspector Detective Adviser Advisor Aide Assistant Speaker MP MEP Commissioner
    Ombudsman Attorney Prosecutor State Chief-of-Staff Press Head Executive Founder CEO Co-founder
    Co-Chair Co-Chairs Co-Chairman Treasurer Manager Skipper Captain Striker Defender Midfielder Goalkeeper
    Forward Winger Keeper Batsman Bowler Opener Paceman Spinner Allrounder All-rounder Fullback Playmaker
    Veteran Rookie Champion Teammate Compatriot Newcomer Incumbent Challenger Businessman Businessmen
    Businesswoman Actor Actress Singer Lawyer Analyst Economist Striker Centre-back Captain Midfield
""")
"""Titles and roles before a person's name; never part of the name."""

ROLE_CUES_LOWER = _words("""
    president minister spokesman spokeswoman spokesperson secretary leader envoy ambassador adviser advisor
    aide chief commander general colonel captain analyst journalist correspondent official officer
    director chairman chairwoman governor mayor senator judge prosecutor lawyer professor expert
    researcher economist author writer reporter editor photographer says said told by premier
    chancellor king queen prince pope sheikh emir diplomat negotiator mediator representative
    ombudsman activist politician lawmaker deputy mp candidate opponent rival
""")
"""Lower-case words right before a name that make it a person ("spokesman Hikmet Hajiyev")."""

SPEECH_VERBS = _words("""
    said says told added stated noted wrote argued claimed insisted warned explained called described
    announced urged accused denied promised signed met spoke visited replied declared confirmed
""")
"""A single unknown capitalised word followed by one of these is a person ("Aliyev said")."""

ORG_TAILS = _words("""
    Ministry Ministries Department Office Service Services Agency Agencies Group Council Committee Commission
    Union Organization Organisation Organizations Party Army Forces Force Navy Guard Guards Police Militia
    Brigade Battalion Regiment Corps Command Bank Company Corporation Corp Inc Ltd LLC plc Co Holdings
    University College Institute Institution School Academy Foundation Fund Trust Association Federation
    Alliance Coalition Front Movement Network Parliament Assembly Congress Senate Cabinet
    Court Tribunal Authority Administration Bureau Centre Center Secretariat Directorate Mission Brigades
    News Times Post Press Herald Tribune Journal Gazette Telegraph Guardian Radio Television TV Channel
    Airlines Airways Railways Industries Group Club Society Church Board Watch Observatory Summit
    Reuters Bloomberg Interfax Xinhua Nations Exchange Newsroom Desk Commons Lords Representatives
    Bourse Unions Partnership Partners Securities Motors
    Petroleum Energy Telecom Communications Systems Technologies Pharmaceuticals Insurance Bancorp Airline
    Rovers Wanderers Athletic Albion Hotspur
""")
"""Last words of organisation names ("Azerbaijani Defence Ministry", "OSCE Minsk Group")."""

ORG_HEADS = _words("""
    Ministry Department Office Bank University Institute Council Committee Commission Organization
    Organisation Union Federation Association Court Parliament Assembly Agency Service Board Bureau
    Church Party Academy Centre Center Secretariat Directorate Fund Foundation League House Chamber
    Society
""")
"""First words of organisation names built with "of" ("Ministry of Defence", "Bank of England")."""

PLACE_TAILS = _words("""
    Province Region Oblast Oblasts Krai District County State Territory Territories Governorate Prefecture
    Island Islands Isles Mountains Mountain Mount Hills Valley Sea Ocean River Lake Gulf Bay Strait Straits
    Peninsula Corridor Desert Basin Coast Plain Plateau Heights Canal Pass Delta Forest Archipelago
    City Town Village Square Airport Port Street Avenue Bridge Dam Republic Kingdom Emirates Federation
    Highway Freeway Motorway Road Point Cape Tower Towers Park Beach Harbour Harbor Station
    Ground Stadium Oval Arena Indies Timor
""")
"""Last words of place names ("Syunik Province", "Caspian Sea", "Lachin Corridor")."""

LOWER_PLACE_TAILS = _words("""
    corridor district districts region province river valley mountains town city village border enclave
    republic oblast county island islands lake sea gorge pass
""")
"""Lower-case words after a name that make it a place ("the Aras river", "the town of Hadrut")."""

GENERIC_SUBJECTS = _words("""
    Analysts Officials Residents Witnesses Experts Sources Observers Critics Authorities Doctors Troops
    Soldiers Protesters Locals Diplomats Reports Medics Investigators Scientists Researchers Villagers
    Lawyers Leaders Ministers Voters Officers Rescuers Firefighters Journalists Reporters Citizens
""")
"""Plural nouns that start reported speech ("Analysts said"): not names."""

PLACE_PREPOSITIONS = _words("in near across outside inside towards toward into throughout around")
"""A single unknown capitalised word after one of these is a place ("fighting in Stepanakert")."""

AGENCIES = {
    "Reuters": "Reuters",
    "AFP": "Agence France-Presse",
    "Agence France-Presse": "Agence France-Presse",
    "AP": "Associated Press",
    "Associated Press": "Associated Press",
    "TASS": "TASS",
    "Interfax": "Interfax",
    "RIA Novosti": "RIA Novosti",
    "Sputnik": "Sputnik",
    "Xinhua": "Xinhua",
    "Anadolu": "Anadolu Agency",
    "Anadolu Agency": "Anadolu Agency",
    "Bloomberg": "Bloomberg",
    "BBC": "BBC",
    "CNN": "CNN",
    "Al Jazeera": "Al Jazeera",
    "EFE": "EFE",
    "EPA": "European Pressphoto Agency",
    "DPA": "DPA",
    "ANSA": "ANSA",
    "Kyodo": "Kyodo News",
    "Yonhap": "Yonhap",
    "APA": "APA",
    "Armenpress": "Armenpress",
    "ABC": "ABC",
    "NPR": "NPR",
    "PTI": "Press Trust of India",
}
"""News agencies and broadcasters, with their canonical names."""

NOT_NAMES = _words("""
    War Wars World Empire Revolution Dynasty Era Age Day Days Cup Games Olympics Championship League
    Agreement Treaty Accord Accords Declaration Act Law Constitution Prize Award Week Festival Crisis
    Conference Summit Convention Protocol Resolution Initiative Plan Doctrine Operation Pandemic Cross
    Islamic Christian Muslim Jewish Catholic Orthodox Soviet Communist Western Eastern Northern Southern
    Christmas Easter Eve Year Ramadan Eid Thanksgiving Halloween Mass Anglican Catholic
    Receipt Receipts Index Shares Stock Stocks Bond Bonds Notes Futures Rate Rates Dividend Earnings Profit
    Government Governments Opposition Revenue Sales Bill Budget Report Review Survey Tax Tariff Deal Offer
    Ground Grounds Trophy Series Open
""")
"""Words that make a capitalised run something other than a person ("World War One", "Paris Agreement")."""

ORG_ACRONYM_BLOCK = _words("""
    TV CEO GMT UTC EST EDT PST PDT CST MST AEST AEDT BST CET AM PM OK ID PDF URL FAQ COVID HIV AIDS SARS GDP PR
    DNA IT AI UFO VIP CCTV SMS GPS II III IV VI VII VIII IX XI XII AD BC MP MPS EPS IPO CPI PPI ADR GDR NAV
    PCT YR RPT ET NB HT FT ECU USD EUR GBP JPY DM ADRS MPH KM KG AGM QC OBE MBE CBE KC SC PE RE CV
""")
"""All-caps words that are not organisations."""


FOREIGN_ARTICLES = _words("El La Le Les Il Die Der Das De Het")
"""A name that starts with one of these is an organisation's title ("El Mundo", "Le Monde", "Die Welt"):
people's names put them inside ("Marine Le Pen"), not first."""

KNOWN_ORGS = {
    "U.N.": "United Nations",
    "UN": "United Nations",
    "United Nations": "United Nations",
    "EU": "European Union",
    "E.U.": "European Union",
    "NATO": "NATO",
    "OPEC": "OPEC",
    "IMF": "IMF",
    "OSCE": "OSCE",
    "FIFA": "FIFA",
    "UEFA": "UEFA",
    "IOC": "IOC",
    "ICRC": "ICRC",
    "UNICEF": "UNICEF",
    "UNESCO": "UNESCO",
    "WTO": "WTO",
    "ASEAN": "ASEAN",
    "Interpol": "Interpol",
    "Europol": "Europol",
    "Al Qaeda": "Al Qaeda",
    "al-Qaeda": "Al Qaeda",
    "al Qaeda": "Al Qaeda",
    "Al-Qaeda": "Al Qaeda",
    "Taliban": "Taliban",
    "Hamas": "Hamas",
    "Hezbollah": "Hezbollah",
    "Kremlin": "Kremlin",
    "Pentagon": "Pentagon",
    "Nasdaq": "Nasdaq",
    "NASDAQ": "Nasdaq",
    "Bundesbank": "Bundesbank",
    "Bundestag": "Bundestag",
    "Duma": "Duma",
    "Knesset": "Knesset",
    "Politburo": "Politburo",
    "Islamic Jihad": "Islamic Jihad",
    "Labor": "Labor",
    "Labour": "Labour",
    "Likud": "Likud",
    "Fatah": "Fatah",
    "Sinn Fein": "Sinn Fein",
}
"""Organisations that are named with no cue around them, with their canonical names: the big international
bodies, exchanges, parliaments known by one word, and the best-known parties and armed groups."""
