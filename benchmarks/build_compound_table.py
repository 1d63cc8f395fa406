"""Builds index/data/compounds-sv.txt, the compound splitter's table, from the hunspell-sv dictionary.

Run with hunspell-sv installed (pip install hunspell-sv): python benchmarks/build_compound_table.py
[--dic-dir DIR] [--out FILE]. Reading the raw .dic alone takes 0.5 s, expanding its affixes 2 s and
deciding which dictionary words stay whole 10 s more, so the splitter reads this precomputed table
instead (0.2 s) and hunspell-sv is no run-time dependency. The same dictionary gives the same bytes.
"""

from __future__ import annotations

import argparse
import re
import sys
import sysconfig
import time
from collections import defaultdict
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from index.compounds import MIN_PART, TABLE_PATH, CompoundTable, best_split  # noqa: E402

DIC_FILES = ("sv_SE.dic", "sv_SE_expanded.dic")
# The .aff's flags (see its comments): X may begin a compound, U may stand in its middle, Y may end it,
# Z only inside one, W lets a suffix make a compound form ("vård" → "vårds"), % forbids the word,
# ¤ means the bare stem is not a word, and A makes the genitive.
BEGIN, MIDDLE, END, ONLY_IN_COMPOUND, PERMIT, FORBIDDEN, NEEDAFFIX = "XUYZW%¤"
GENITIVE = "A"
# What a compound form may add to its word: familj+e, vård+s, kvinn(a)+o, var(a)+u, hyr(a)+es.
LINKS = ("es", "s", "e", "a", "o", "u", "i")
VOWEL_LINKS = ("e", "a", "o", "u", "i")
# The same for an entry that is itself a compound form; not -i: "anti", "mini" are prefixes, not ant+i.
ENTRY_LINKS = ("es", "s", "e", "a", "o", "u")
# The .aff's noun inflections: definite forms and plurals.
NOUN_FLAGS = set("CEFGHI")
# Prepositions and adverbs that make lexicalised words out of verbs and nouns ("undersökning",
# "översyn", "framtid", "motsvarande"): a dictionary word is not split after one of them.
PARTICLES = frozenset("""bak bort efter emot fort fram förbi genom inom kring med mellan miss mot ned ner
    omkring runt sam själv till undan under upp utan utom vid åter över""".split())
# Opaque dictionary words that pass the rules below; their parts would only find them by accident.
NEVER_SPLIT = frozenset("""riksdag ordförande kombination hushåll slutsats läkemedel livsmedel kristall
    barndom trolldom visdom änkedom lönndom sextiotalist filharmonisk""".split())
# Words that end compounds only as suffixes: "arbetslösa" is arbete + -lös, and its "lösa" would match
# the verb "lösa" (solve), a common query word.
SUFFIX_WORDS = frozenset({"lös", "lösa"})
# An entry with no flags but these is a compound form, not a word of its own (! is NOSUGGEST).
COMPOUND_ONLY_FLAGS = {BEGIN, MIDDLE, ONLY_IN_COMPOUND, PERMIT, "!"}


class Rule:
    __slots__ = ("strip", "add", "cont", "cond")

    def __init__(self, strip: str, add: str, cont: str, cond: str):
        self.strip, self.add, self.cont = strip, add, cont
        self.cond = re.compile(f"(?:{cond})$")

    def apply(self, stem: str) -> str | None:
        if not stem.endswith(self.strip) or not self.cond.search(stem):
            return None
        return stem[: len(stem) - len(self.strip)] + self.add


def read_aff(path: Path) -> dict[str, list[Rule]]:
    rules: dict[str, list[Rule]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) >= 5 and fields[0] == "SFX":
            flag, strip, add, cond = fields[1:5]
            add, _, cont = add.partition("/")
            rules[flag].append(Rule("" if strip == "0" else strip, "" if add == "0" else add, cont, cond))
    return rules


def read_dic(paths: list[Path]) -> list[tuple[str, frozenset[str]]]:
    """The entries of .dic files as (word, flags); a word listed twice with different flags is two
    entries ("data/X" the word, "data/XZ" its compound form)."""
    entries: dict[tuple[str, frozenset[str]], None] = {}
    for path in paths:
        with path.open(encoding="utf-8") as f:
            next(f)  # the entry count
            for line in f:
                word, _, flags = line.rstrip().partition("/")
                if word:
                    entries[(word, frozenset(flags))] = None
    return list(entries)


def form_only(flags: frozenset[str]) -> bool:
    """Whether an entry is only a compound form ("familje/XZ", "skol/hsZ", "Stockholms/X"), not a word."""
    return ONLY_IN_COMPOUND in flags or (bool(flags & {BEGIN, MIDDLE}) and flags <= COMPOUND_ONLY_FLAGS)


def is_noun(word: str, flags: frozenset[str]) -> bool:
    """Whether an entry inflects as a noun: definite or plural forms (D on a verb in -a is its participle)."""
    return bool(flags & NOUN_FLAGS) or ("D" in flags and not word.endswith("a"))


def usable(form: str) -> bool:
    return len(form) >= MIN_PART and form.isalpha()


def link_length(form: str, stem: str) -> int:
    """How many letters at the end of a compound form are linking letters rather than its word's:
    those it adds to its word ("vårds", "familje") or a vowel it puts for the word's ("kvinno")."""
    common = 0
    for a, b in zip(form, stem):
        if a != b:
            break
        common += 1
    tail = form[common:]
    if tail not in LINKS or common < MIN_PART:
        return 0
    # "rike" → "riks" keeps its "s": "rik" would read as another word, and the stemmer gives "rik" anyway.
    return len(tail) if common == len(stem) or tail in VOWEL_LINKS else 0


def entry_link_length(form: str, flags: frozenset[str], lemmas: set[str]) -> int:
    """The linking letters of an entry that is a compound form: "familje" is familj+e, "kvinno" kvinn(a)+o,
    "Stockholms" Stockholm+s. Without Z an entry may be a word too ("data/X"): only an -s is taken off."""
    links = ENTRY_LINKS if ONLY_IN_COMPOUND in flags else ("s",)
    for link in links:
        base = form[: -len(link)]
        if not form.endswith(link) or len(base) < MIN_PART:
            continue
        if base in lemmas or (link in VOWEL_LINKS and (base + "a" in lemmas or base + "e" in lemmas)):
            return len(link)
    return 0


def build(dic_dir: Path) -> tuple[CompoundTable, dict[str, int]]:
    rules = read_aff(dic_dir / "sv_SE.aff")
    entries = read_dic([dic_dir / name for name in DIC_FILES])
    flags_of: dict[str, list[frozenset[str]]] = defaultdict(list)
    for word, flags in entries:
        flags_of[word].append(flags)
    lemmas = {w.lower() for w, flags in entries if not flags & {FORBIDDEN} and not form_only(flags)}
    nouns = {w.lower() for w, flags in entries if is_noun(w, flags) and FORBIDDEN not in flags}

    heads: dict[str, int] = {}
    tails: set[str] = set()
    # Every standalone form with the entries it is a form of, to decide what stays whole.
    forms_of: dict[str, list[tuple[str, frozenset[str]]]] = defaultdict(list)
    # For judging lexicalised words: the entries each head comes from, and for each tail the length of
    # the longest noun it is a form of (0: a form of no noun).
    head_sources: dict[str, list[tuple[str, frozenset[str]]]] = defaultdict(list)
    tail_noun: dict[str, int] = {}
    inflections: set[str] = set()  # forms an inflection makes of another word (a genitive is a linking -s)

    def add_head(form: str, cut: int, entry: tuple[str, frozenset[str]]) -> None:
        if usable(form):
            head_sources[form].append(entry)
            # Where sources disagree ("data/X" a word, "data/XZ" dat+a), the form keeps its letters.
            heads[form] = min(cut, heads.get(form, cut))

    def add_tail(form: str, word: str, flags: frozenset[str], flag: str | None) -> None:
        if not usable(form) or word in SUFFIX_WORDS:
            return
        tails.add(form)
        # D on a verb in -a makes its participle ("söka" → "sökande"), on a noun its definite form.
        if is_noun(word, flags) and not (flag == "D" and word.endswith("a")):
            tail_noun[form] = max(len(word), tail_noun.get(form, 0))
        else:
            tail_noun.setdefault(form, 0)

    for entry in entries:
        word, flags = entry
        lower = word.lower()
        if FORBIDDEN not in flags:
            if flags & {BEGIN, MIDDLE}:
                # An entry that is only a compound form ("familje/XZ", "Stockholms/X") is its word plus
                # linking letters; one with inflections of its own ("plats") is a word.
                add_head(lower, entry_link_length(lower, flags, lemmas) if form_only(flags) else 0, entry)
            if END in flags and NEEDAFFIX not in flags:
                add_tail(lower, word, flags, None)
        if ONLY_IN_COMPOUND not in flags and NEEDAFFIX not in flags:
            forms_of[lower].append(entry)
        for flag in flags:
            for rule in rules.get(flag, ()):
                form = rule.apply(word)
                if form is None:
                    continue
                lower_form = form.lower()
                if PERMIT in rule.cont:
                    if FORBIDDEN not in flags and (set(rule.cont) | flags) & {BEGIN, MIDDLE}:
                        add_head(lower_form, link_length(lower_form, lower), entry)
                    continue
                if FORBIDDEN not in flags and END in flags:
                    add_tail(lower_form, word, flags, flag)
                forms_of[lower_form].append(entry)
                if flag != GENITIVE and lower_form != lower:
                    inflections.add(lower_form)

    inflected = frozenset(form for form, cut in heads.items() if cut == 0 and form in inflections)
    table = CompoundTable(heads, frozenset(tails), frozenset(), inflected)

    def noun_like(entry: tuple[str, frozenset[str]]) -> bool:
        # A bare compound form ("arbets/XZ", "skol/hsZ", "kvinno/XZ") is a noun's when taking off a
        # linking letter, or putting back the -a/-e the form dropped, gives a noun; "styr", "rikt" are verbs'.
        word, flags = entry
        if not form_only(flags):
            return is_noun(word, flags)
        lower = word.lower()
        bases = [lower] + [lower[: -len(t)] for t in LINKS if lower.endswith(t)]
        return any(base + end in nouns for base in bases for end in ("", "a", "e"))

    def transparent(word: str, parts: tuple[str, ...]) -> bool:
        # A lexicalised word splits after a noun ("familjehem", "arbetsliv"), or after another head
        # (adjective, verb stem) before a noun of four letters or more ("socialtjänst", "sjukvård",
        # not "ungdom", "fristående"); never after a particle ("undersökning", "framtid", "motsvarar").
        first, last = parts[0], parts[-1]
        if first in PARTICLES or word in NEVER_SPLIT:
            return False
        for suffix in ("ing", "ning"):
            # "lagring" is lagra + -ing and "värdering" värdera + -ing, not lag + ring, värde + ring.
            verb = word[: -len(suffix)] + "a"
            if word.endswith(suffix) and verb in flags_of and not splittable(verb):
                return False
        head = word[: word.index(parts[1], len(first) - 1)]
        if first in nouns or any(noun_like(entry) for entry in head_sources.get(head, ())):
            return True  # after a noun, any word: "arbetsliv", "säkerhetspolitisk", "asylsökande"
        return tail_noun.get(last, 0) > MIN_PART

    splits: dict[str, bool] = {}

    def splittable(word: str) -> bool:
        if word not in splits:
            parts = best_split(word, table)
            splits[word] = bool(parts) and transparent(word, parts)
        return splits[word]

    # A dictionary word may split when it is a form of lower-case, allowed words that all split
    # ("socialtjänsten" of "socialtjänst"; "socialdemokraterna" is a party's name too, but also a plural
    # that splits). Other dictionary forms that would split stay whole: "vården" of "vård", the names
    # "stockholms" and "bergström", "bandhagen" (forbidden: it must be capitalised), and "filmat", which
    # the dictionary lists as a word that splits but which is also a form of "filma".
    whole = set()
    for form, sources in forms_of.items():
        if len(form) >= 2 * MIN_PART and form.isalpha() and best_split(form, table):
            words = {word for word, flags in sources if word[0].islower() and FORBIDDEN not in flags}
            if not words or not all(splittable(word) for word in words):
                whole.add(form)
    stats = {"entries": len(entries), "heads": len(heads), "inflected heads": len(inflected),
             "tails": len(tails), "whole": len(whole), "dictionary forms": len(forms_of)}
    return CompoundTable(heads, frozenset(tails), frozenset(whole), inflected), stats


def write(table: CompoundTable, out: Path, version: str) -> None:
    header = (
        f"# Swedish compound table for svar's index/compounds.py, derived from hunspell-sv {version}\n"
        "# (sv_SE.dic, sv_SE_expanded.dic: Copyright (c) 2003-15 Goran Andersson <goran@init.se>,\n"
        "# LGPL-3.0, https://www.gnu.org/licenses/lgpl-3.0.html). Built by benchmarks/build_compound_table.py.\n"
    )
    heads = "\n".join(form + (str(cut) if cut else "") for form, cut in sorted(table.heads.items()))
    body = (f"{header}@heads\n{heads}\n@inflected\n" + "\n".join(sorted(table.inflected))
            + "\n@tails\n" + "\n".join(sorted(table.tails))
            + "\n@whole\n" + "\n".join(sorted(table.whole)) + "\n")
    out.parent.mkdir(parents=True, exist_ok=True)
    # Plain text, mapped by the splitter (index/compounds.py): the same dictionary gives the same bytes.
    out.write_bytes(body.encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dic-dir", type=Path, default=Path(sysconfig.get_paths()["data"]) / "share" / "hunspell",
                        help="folder with sv_SE.aff and sv_SE.dic (default: where pip installs hunspell-sv)")
    parser.add_argument("--out", type=Path, default=TABLE_PATH)
    args = parser.parse_args()
    try:
        version = metadata.version("hunspell-sv")
    except metadata.PackageNotFoundError:
        version = "(version unknown)"
    started = time.perf_counter()
    table, stats = build(args.dic_dir)
    write(table, args.out, version)
    print(f"{args.out}: {args.out.stat().st_size:,} bytes in {time.perf_counter() - started:.1f} s; "
          + ", ".join(f"{k} {v:,}" for k, v in stats.items()))


if __name__ == "__main__":
    main()
