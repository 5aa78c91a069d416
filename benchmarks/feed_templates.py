"""Automated reports for the synthetic feed: earnings, match results and weather, from templates.

Newsrooms publish thousands of these a day, each written by a program from a few fixed
sentence shapes with the names and numbers filled in. Two reports from one template about
different companies (teams, cities) share every sentence's shape and no fact: a detector that
links them is wrong. A copy of one report (under another outlet's header, or lightly edited)
is still a copy and must be found.

Each template is a list of paragraphs, each a list of sentence shapes; ``{slot}`` names a
value drawn per report (see :func:`_values`). Shapes are written for this benchmark.
"""

from __future__ import annotations

import random

__all__ = ["TEMPLATES", "report"]

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_QUARTERS = ("first-quarter", "second-quarter", "third-quarter", "fourth-quarter")
_SYLLABLES = ("al", "ben", "cor", "dex", "el", "fin", "gar", "hal", "ion", "jet", "kor", "lum",
              "med", "nor", "om", "pra", "quin", "ros", "sil", "tor", "ul", "ver", "wex", "zan")
_COMPANY_ENDS = ("link", "field", "core", "tech", "works", "gen", "tronics", "soft", "labs",
                 "mark", "point", "wave", "bridge", "stone")
_TEAM_ENDS = ("United", "City", "Rovers", "Athletic", "Wanderers", "Town", "Albion", "FC")

TEMPLATES: dict[str, list[list[str]]] = {
    "earnings": [
        ["Shares of {company} {moved} {pct}% to ${price} in trading on {day} after the company "
         "reported its {quarter} results before the market opened.",
         "{company} posted earnings of ${eps} per share for the quarter, {beat} the consensus "
         "estimate of analysts surveyed by {bank} of ${estimate} per share."],
        ["Revenue for the quarter came in at ${revenue} million, compared with ${revenue_ago} "
         "million in the same period a year earlier.",
         "The company's board declared a quarterly dividend of ${dividend} per share, payable "
         "on {month} {date} to shareholders of record.",
         "{company} has a market capitalization of ${cap} billion and a price-to-earnings ratio "
         "of {ratio}, according to data compiled by {bank}."],
        ["Analysts at {bank} set a price target of ${target} on the stock in a note to clients "
         "published on {day}, citing the outlook for {month}.",
         "This report was generated automatically from company filings and market data."],
    ],
    "match": [
        ["{home} beat {away} {goals_home}-{goals_away} on {day} in front of {crowd} spectators "
         "at the {ground} stadium, moving up to {place} place in the table.",
         "{player} opened the scoring in the {minute}th minute with a low shot from the edge of "
         "the area, and {player2} added another before half-time."],
        ["{away} pulled one back through {player3} in the {minute2}th minute, but the visitors "
         "could not find an equaliser in the closing stages.",
         "{home} have now won {wins} of their last {games} league matches and host {next} on "
         "{day2}, while {away} sit {place2} with {points} points."],
        ["This match report was generated automatically from official league data."],
    ],
    "weather": [
        ["{city} can expect highs of {high} degrees on {day}, with lows near {low} degrees "
         "overnight and winds from the {wind} at up to {speed} kilometres per hour.",
         "Forecasters at the {station} station put the chance of rain at {rain}% for the "
         "afternoon, with up to {mm} millimetres expected by {day2} morning."],
        ["Temperatures in {city} are forecast to reach {high2} degrees by {day2}, about "
         "{diff} degrees {warmer} than the average for {month}.",
         "Residents of {city} and {city2} were advised to check the forecast before travelling "
         "on {day2}, the {station} office said in its morning bulletin."],
        ["This forecast was generated automatically from weather service data."],
    ],
}


def _word(rng: random.Random, ends: tuple[str, ...]) -> str:
    stem = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
    return stem.capitalize() + rng.choice(ends)


def _values(rng: random.Random, names: list[str]) -> dict[str, str]:
    """Draw every slot of every template: each report is about its own subject and numbers."""
    def name() -> str:
        return rng.choice(names)

    price = rng.uniform(5, 900)
    return {
        "company": _word(rng, _COMPANY_ENDS),
        "bank": f"{name()} {rng.choice(('Securities', 'Capital', 'Research'))}",
        "moved": rng.choice(("rose", "fell", "jumped", "slipped")),
        "pct": f"{rng.uniform(0.5, 19):.1f}", "price": f"{price:.2f}",
        "day": rng.choice(_DAYS), "day2": rng.choice(_DAYS), "month": rng.choice(_MONTHS),
        "date": str(rng.randint(1, 28)), "quarter": rng.choice(_QUARTERS),
        "eps": f"{rng.uniform(0.05, 6):.2f}", "estimate": f"{rng.uniform(0.05, 6):.2f}",
        "beat": rng.choice(("beating", "missing", "matching")),
        "revenue": f"{rng.uniform(20, 9000):,.1f}", "revenue_ago": f"{rng.uniform(20, 9000):,.1f}",
        "dividend": f"{rng.uniform(0.01, 2):.2f}", "cap": f"{rng.uniform(0.2, 400):.1f}",
        "ratio": f"{rng.uniform(4, 80):.1f}", "target": f"{price * rng.uniform(0.8, 1.4):.2f}",
        "home": _word(rng, ("",)) + " " + rng.choice(_TEAM_ENDS),
        "away": _word(rng, ("",)) + " " + rng.choice(_TEAM_ENDS),
        "next": _word(rng, ("",)) + " " + rng.choice(_TEAM_ENDS),
        "goals_home": str(rng.randint(1, 6)), "goals_away": str(rng.randint(0, 5)),
        "crowd": f"{rng.randint(2_000, 75_000):,}", "ground": _word(rng, ("",)) + " Park",
        "place": rng.choice(("first", "second", "third", "fourth", "fifth", "sixth")),
        "place2": rng.choice(("seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth")),
        "player": name(), "player2": name(), "player3": name(),
        "minute": str(rng.randint(2, 44)), "minute2": str(rng.randint(46, 89)),
        "wins": str(rng.randint(1, 5)), "games": str(rng.randint(5, 8)),
        "points": str(rng.randint(10, 80)),
        "city": name() + rng.choice(("ville", "ford", "ton", "burg", "port")),
        "city2": name() + rng.choice(("ville", "ford", "ton", "burg", "port")),
        "high": str(rng.randint(-5, 38)), "low": str(rng.randint(-15, 25)),
        "high2": str(rng.randint(-5, 38)), "diff": str(rng.randint(1, 9)),
        "warmer": rng.choice(("warmer", "cooler")),
        "wind": rng.choice(("north", "south", "east", "west", "northwest", "southwest")),
        "speed": str(rng.randint(5, 90)), "rain": str(rng.randint(0, 100)),
        "mm": str(rng.randint(1, 60)),
        "station": name() + " " + rng.choice(("Hill", "Point", "Field")),
    }


def report(rng: random.Random, names: list[str], template: str | None = None
           ) -> tuple[str, str, list[str]]:
    """Write one automated report: (template name, headline, body paragraphs).

    >>> name, headline, body = report(random.Random(1), ["Smith", "Jones"], "earnings")
    >>> name, len(body), "per share" in body[0]
    ('earnings', 3, True)
    """
    name = template or rng.choice(sorted(TEMPLATES))
    values = _values(rng, names)
    body = [" ".join(shape.format(**values) for shape in paragraph)
            for paragraph in TEMPLATES[name]]
    headline = {
        "earnings": "{company} shares {moved} {pct}% after {quarter} results",
        "match": "{home} beat {away} {goals_home}-{goals_away}",
        "weather": "Forecast for {city}: highs of {high} degrees on {day}",
    }[name].format(**values)
    return name, headline, body
