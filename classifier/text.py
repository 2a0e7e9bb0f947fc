"""Language detection, normalisation and the tokenisers (module-level, so models pickle)."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import snowballstemmer

from classifier.domains import LANGUAGES

# Sudachi refuses input above about 49 KB; stay well below it.
SUDACHI_MAX_BYTES = 32_000

_LANG_ALIASES = {
    "ja": "ja",
    "jp": "ja",
    "jpn": "ja",
    "en": "en",
    "eng": "en",
    "pt": "pt",
    "por": "pt",
}


def canonical_language(code: str | None) -> str | None:
    """Map a language tag ('pt-BR', 'pt_BR', 'ja-JP', 'EN') to ja/en/pt, or None."""
    if not code:
        return None
    primary = re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]
    return _LANG_ALIASES.get(primary)


# ---------------------------------------------------------------- normalisation

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_SPACES = re.compile(r"[ \t\u3000]+")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


@lru_cache(maxsize=16)  # one message is normalised by several steps in a row
def normalize(text: str) -> str:
    """NFKC, control and lone-surrogate characters removed, runs of spaces collapsed."""
    text = _SURROGATES.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


_LATIN_MARKS = re.compile(r"[\u0300-\u036f]")  # not the kana voicing marks U+3099/U+309A


_ACCENTABLE = re.compile(r"[\u00c0-\u024f\u1e00-\u1eff\u0300-\u036f]")


def strip_accents(text: str) -> str:
    """'não está' -> 'nao esta'."""
    if text.isascii() or not _ACCENTABLE.search(text):
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", _LATIN_MARKS.sub("", decomposed))


HIRAGANA_SHIFT = str.maketrans({chr(k): chr(k - 0x60) for k in range(0x30A1, 0x30F7)})
_KATAKANA = re.compile(r"[\u30a1-\u30f6]")


@lru_cache(maxsize=16)  # read by the concept lexicon and the crisis lexicon in a row
def lexical_form(normalized: str) -> str:
    """The form the lexicons read, from normalised text: lower case, no accents, katakana as
    hiragana."""
    folded = strip_accents(normalized.lower())
    return folded.translate(HIRAGANA_SHIFT) if _KATAKANA.search(folded) else folded


# ---------------------------------------------------------------- language detection

_JA_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f々〆ヵヶ]")
_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_LATIN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")

_EN_MARKERS = frozenset(
    [
        "the",
        "and",
        "is",
        "are",
        "was",
        "were",
        "i",
        "my",
        "me",
        "you",
        "your",
        "he",
        "she",
        "it",
        "we",
        "they",
        "to",
        "of",
        "in",
        "on",
        "for",
        "with",
        "have",
        "has",
        "had",
        "not",
        "don't",
        "can't",
        "i'm",
        "it's",
        "this",
        "that",
        "what",
        "how",
        "help",
        "please",
        "pls",
        "can",
        "would",
        "could",
        "should",
        "my",
        "job",
        "money",
        "rent",
        "school",
        "because",
        "but",
        "just",
        "so",
        "very",
        "if",
    ]
)
_PT_MARKERS = frozenset(
    [
        "o",
        "a",
        "os",
        "as",
        "e",
        "é",
        "eu",
        "meu",
        "minha",
        "voce",
        "vc",
        "nao",
        "não",
        "que",
        "de",
        "do",
        "da",
        "dos",
        "das",
        "em",
        "no",
        "na",
        "um",
        "uma",
        "com",
        "para",
        "pra",
        "por",
        "tem",
        "tenho",
        "esta",
        "está",
        "estou",
        "to",
        "ta",
        "tá",
        "ele",
        "ela",
        "isso",
        "muito",
        "mais",
        "mas",
        "se",
        "ja",
        "já",
        "sou",
        "porque",
        "pq",
        "ajuda",
        "preciso",
        "filho",
        "filha",
        "trabalho",
        "aluguel",
        "obrigado",
        "obrigada",
        "oi",
        "ola",
        "olá",
        "bom",
        "dia",
        "tarde",
        "noite",
        "tudo",
        "bem",
        "ne",
        "né",
        "tambem",
        "também",
    ]
)
_PT_ORTHOGRAPHY = re.compile(r"ção|ções|ão|õe|ã|ç|nh|lh|[áéíóúâêô]")
_EN_ORTHOGRAPHY = re.compile(r"\b(?:th|wh)\w+|\w+(?:ing|ly)\b|'(?:s|t|m|re|ll|ve)\b")

# Romaji: every word is a sequence of Hepburn/kunrei syllables; some Japanese function words.
_ROMAJI_WORD = re.compile(
    r"^(?:(?:ky|gy|sh|ch|ny|hy|by|py|my|ry|j|ts|f|[kgsztdnhbpmyrwv])?[aiueo]|n(?![aiueoy])"
    r"|([kstpgdbjfhmrwz])(?=\1)|t(?=ch))+$"
)
_ROMAJI_MARKERS = frozenset(
    [
        "desu",
        "masu",
        "shimasu",
        "shitai",
        "kudasai",
        "onegai",
        "onegaishimasu",
        "arimasen",
        "imasen",
        "dekinai",
        "komatte",
        "komatteimasu",
        "tasukete",
        "sumimasen",
        "wakaranai",
        "nai",
        "shiyakusho",
        "kaigo",
        "soudan",
        "sodan",
        "dekimasu",
        "ikenai",
        "kane",
        "okane",
        "yachin",
        "shigoto",
        "byouki",
        "byoki",
        "kodomo",
        "haha",
        "chichi",
        "kuyakusho",
        "hoikuen",
        "zairyu",
        "kaado",
    ]
)
_ROMAJI_PARTICLES = frozenset(["wa", "ga", "wo", "ni", "no", "de", "to", "mo", "ka", "ne", "yo"])


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """A detected language and how it was decided ('explicit', 'script', 'romaji',
    'detector', or 'default' when the detector abstained)."""

    lang: str
    source: str

    @property
    def reliable(self) -> bool:
        """False when the detector abstained and `lang` is only a fallback."""
        return self.source != "default"


_LETTER_RUN = re.compile(r"[^\W\d_]+")


def is_romaji(text: str) -> bool:
    """True when lower-cased, accent-free Latin `text` reads as Japanese written in romaji."""
    return _is_romaji(_LATIN_WORD.findall(text))


def _is_romaji(words: list[str]) -> bool:
    if not words:
        return False
    romaji = sum(1 for w in words if _ROMAJI_WORD.match(w))
    if romaji < 0.85 * len(words):
        return False
    markers = sum(1 for w in words if w in _ROMAJI_MARKERS)
    particles = sum(1 for w in words if w in _ROMAJI_PARTICLES)
    western = sum(1 for w in words if w in _EN_MARKERS or w in _PT_MARKERS)
    return markers >= 1 or (particles >= 2 and particles > western - particles)


def _latin_scores(lowered: str, words: list[str]) -> tuple[float, float]:
    """English and Portuguese evidence in `lowered` text whose accent-free words are `words`."""
    en = sum(1.0 for w in words if w in _EN_MARKERS)
    pt = sum(
        1.0
        for w in _LETTER_RUN.findall(lowered)
        if w in _PT_MARKERS or (not w.isascii() and strip_accents(w) in _PT_MARKERS)
    )
    pt += 0.5 * len(_PT_ORTHOGRAPHY.findall(lowered))
    en += 0.5 * len(_EN_ORTHOGRAPHY.findall(lowered))
    return en, pt


def detect_language(text: str, explicit: str | None = None, default: str = "ja") -> LanguageGuess:
    """Explicit language wins; kana/kanji mean Japanese; then romaji; then an en/pt detector
    that abstains (falling back to `default`) when the evidence is thin."""
    chosen = canonical_language(explicit)
    if chosen is not None:
        return LanguageGuess(chosen, "explicit")
    if _KANA.search(text) and not _ASCII_LETTER.search(text):
        return LanguageGuess("ja", "script")  # the common case, decided cheaply
    ja_chars = len(_JA_CHAR.findall(text))
    letters = sum(1 for ch in text if ch.isalpha())
    if ja_chars and (ja_chars >= 0.3 * letters or (_KANA.search(text) and ja_chars >= 4)):
        return LanguageGuess("ja", "script")
    lowered = normalize(text).lower()
    words = _LATIN_WORD.findall(strip_accents(lowered))
    if _is_romaji(words):
        return LanguageGuess("ja", "romaji")
    en, pt = _latin_scores(lowered, words)
    if max(en, pt) >= 1.0 and abs(en - pt) >= 1.0:
        return LanguageGuess("en" if en > pt else "pt", "detector")
    if ja_chars:
        return LanguageGuess("ja", "script")
    fallback = default if default in LANGUAGES else "ja"
    return LanguageGuess(fallback, "default")


# ---------------------------------------------------------------- romaji -> hiragana

_ROMAJI_TABLE = {
    "kya": "きゃ",
    "kyu": "きゅ",
    "kyo": "きょ",
    "gya": "ぎゃ",
    "gyu": "ぎゅ",
    "gyo": "ぎょ",
    "sha": "しゃ",
    "shi": "し",
    "shu": "しゅ",
    "she": "しぇ",
    "sho": "しょ",
    "cha": "ちゃ",
    "chi": "ち",
    "chu": "ちゅ",
    "che": "ちぇ",
    "cho": "ちょ",
    "nya": "にゃ",
    "nyu": "にゅ",
    "nyo": "にょ",
    "hya": "ひゃ",
    "hyu": "ひゅ",
    "hyo": "ひょ",
    "bya": "びゃ",
    "byu": "びゅ",
    "byo": "びょ",
    "pya": "ぴゃ",
    "pyu": "ぴゅ",
    "pyo": "ぴょ",
    "mya": "みゃ",
    "myu": "みゅ",
    "myo": "みょ",
    "rya": "りゃ",
    "ryu": "りゅ",
    "ryo": "りょ",
    "ja": "じゃ",
    "ji": "じ",
    "ju": "じゅ",
    "je": "じぇ",
    "jo": "じょ",
    "tsu": "つ",
    "fu": "ふ",
    "fa": "ふぁ",
    "fi": "ふぃ",
    "fe": "ふぇ",
    "fo": "ふぉ",
    "ka": "か",
    "ki": "き",
    "ku": "く",
    "ke": "け",
    "ko": "こ",
    "ga": "が",
    "gi": "ぎ",
    "gu": "ぐ",
    "ge": "げ",
    "go": "ご",
    "sa": "さ",
    "si": "し",
    "su": "す",
    "se": "せ",
    "so": "そ",
    "za": "ざ",
    "zi": "じ",
    "zu": "ず",
    "ze": "ぜ",
    "zo": "ぞ",
    "ta": "た",
    "ti": "ち",
    "tu": "つ",
    "te": "て",
    "to": "と",
    "da": "だ",
    "di": "ぢ",
    "du": "づ",
    "de": "で",
    "do": "ど",
    "na": "な",
    "ni": "に",
    "nu": "ぬ",
    "ne": "ね",
    "no": "の",
    "ha": "は",
    "hi": "ひ",
    "hu": "ふ",
    "he": "へ",
    "ho": "ほ",
    "ba": "ば",
    "bi": "び",
    "bu": "ぶ",
    "be": "べ",
    "bo": "ぼ",
    "pa": "ぱ",
    "pi": "ぴ",
    "pu": "ぷ",
    "pe": "ぺ",
    "po": "ぽ",
    "ma": "ま",
    "mi": "み",
    "mu": "む",
    "me": "め",
    "mo": "も",
    "ya": "や",
    "yu": "ゆ",
    "yo": "よ",
    "ra": "ら",
    "ri": "り",
    "ru": "る",
    "re": "れ",
    "ro": "ろ",
    "wa": "わ",
    "wo": "を",
    "va": "ゔぁ",
    "vi": "ゔぃ",
    "vu": "ゔ",
    "a": "あ",
    "i": "い",
    "u": "う",
    "e": "え",
    "o": "お",
}
_PARTICLE_KANA = {"wa": "は", "wo": "を", "he": "へ"}


def romaji_to_hiragana(word: str) -> str:
    """Convert one romaji word to hiragana; letters that do not parse are kept."""
    if word in _PARTICLE_KANA:
        return _PARTICLE_KANA[word]
    out: list[str] = []
    i = 0
    while i < len(word):
        ch = word[i]
        nxt = word[i + 1] if i + 1 < len(word) else ""
        if ch == nxt and ch not in "aiueon":
            out.append("っ")
            i += 1
            continue
        if ch == "n" and (not nxt or nxt not in "aiueoy"):
            out.append("ん")
            i += 1
            continue
        for size in (3, 2, 1):
            kana = _ROMAJI_TABLE.get(word[i : i + size])
            if kana:
                out.append(kana)
                i += size
                break
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def romaji_text_to_hiragana(text: str) -> str:
    """Convert every word that parses as romaji; other words and characters pass through."""

    def convert(match: re.Match[str]) -> str:
        word = match.group(0).lower()
        return romaji_to_hiragana(word) if _ROMAJI_WORD.match(word) else word

    return re.sub(r"[A-Za-z]+", convert, text)


# ---------------------------------------------------------------- Japanese (Sudachi)

# Content parts of speech kept as features; auxiliaries of negation and desire matter too.
_KEPT_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞", "副詞", "感動詞", "接頭辞", "接尾辞"})
_KEPT_AUX = frozenset({"ない", "ぬ", "ず", "たい", "無い"})
_DROPPED_SUBPOS = frozenset({"数詞"})


class _SudachiState(threading.local):
    tokenizer: Any = None
    keep: list[int] | None = None


_dictionary_lock = threading.Lock()
_dictionary: Any = None
_state = _SudachiState()


def _sudachi() -> tuple[Any, list[int]]:
    """This thread's tokenizer and its POS-keep table (Sudachi objects are not thread-safe)."""
    if _state.tokenizer is None:
        global _dictionary
        from sudachipy import Dictionary, SplitMode

        with _dictionary_lock:
            if _dictionary is None:
                _dictionary = Dictionary()
        dictionary = _dictionary
        keep: list[int] = []
        pos_id = 0
        while True:
            pos = dictionary.pos_of(pos_id)
            if pos is None:
                break
            if pos[0] in _KEPT_POS and pos[1] not in _DROPPED_SUBPOS:
                keep.append(1)
            elif pos[0] == "助動詞":
                keep.append(2)
            elif pos[0] == "名詞" and pos[1] == "数詞":
                keep.append(3)
            else:
                keep.append(0)
            pos_id += 1
        _state.keep = keep
        # Short units (mode A) generalise better on a small corpus: 督促状 -> 督促 + 状.
        _state.tokenizer = dictionary.tokenizer(mode=SplitMode.A, fields={"pos", "normalized_form"})
    assert _state.keep is not None
    return _state.tokenizer, _state.keep


def split_for_sudachi(text: str, limit: int = SUDACHI_MAX_BYTES) -> list[str]:
    """Split text into pieces Sudachi accepts, at sentence ends where possible."""
    if len(text) * 4 <= limit or len(text.encode("utf-8")) <= limit:
        return [text]
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for sentence in re.split(r"(?<=[。！？!?\n])", text):
        encoded = len(sentence.encode("utf-8"))
        if encoded > limit:
            step = limit // 4
            parts = [sentence[i : i + step] for i in range(0, len(sentence), step)]
        else:
            parts = [sentence]
        for part in parts:
            part_size = len(part.encode("utf-8"))
            if size + part_size > limit and current:
                pieces.append("".join(current))
                current, size = [], 0
            current.append(part)
            size += part_size
    if current:
        pieces.append("".join(current))
    return pieces


_HAS_LATIN = re.compile(r"[A-Za-z]{2,}")
_EMOJI = re.compile(r"[\U0001F300-\U0001FAFF\u2600-\u27BF]")


def sudachi_tokens(text: str) -> list[str]:
    """Normalized forms of Sudachi's morphemes, all parts of speech (the tokenisation alone)."""
    tokenizer, _ = _sudachi()
    return [
        m.normalized_form() for piece in split_for_sudachi(text) for m in tokenizer.tokenize(piece)
    ]


def ja_tokens(text: str) -> list[str]:
    """Japanese content tokens: Sudachi normalized forms filtered by part of speech."""
    text = normalize(text)
    if not text:
        return []
    if _HAS_LATIN.search(text):
        text = romaji_text_to_hiragana(text)
    tokenizer, keep = _sudachi()
    tokens: list[str] = []
    for piece in split_for_sudachi(text):
        morphemes = tokenizer.tokenize(piece)
        kinds = [keep[m.part_of_speech_id()] for m in morphemes]
        if 2 not in kinds and 3 not in kinds:  # the common case, in one comprehension
            tokens += [m.normalized_form() for m, k in zip(morphemes, kinds, strict=True) if k]
            continue
        for morpheme, kind in zip(morphemes, kinds, strict=True):
            if kind == 1:
                tokens.append(morpheme.normalized_form())
            elif kind == 2:
                form = morpheme.normalized_form()
                if form in _KEPT_AUX:
                    tokens.append(form)
            elif kind == 3:
                tokens.append("<num>")
    tokens += _EMOJI.findall(text)
    return tokens


# ---------------------------------------------------------------- English and Portuguese

_STEMMERS = threading.local()
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[\U0001F300-\U0001FAFF\u2600-\u27BF]")
_JA_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff々ー]+")


def _stemmer(lang: str) -> Any:
    stemmers: dict[str, Any] | None = getattr(_STEMMERS, "by_lang", None)
    if stemmers is None:
        stemmers = {
            "en": snowballstemmer.stemmer("english"),
            "pt": snowballstemmer.stemmer("portuguese"),
        }
        _STEMMERS.by_lang = stemmers
    return stemmers[lang]


@lru_cache(maxsize=200_000)
def _stem(word: str, lang: str) -> str:
    if len(word) <= 3 or not word.isalpha():
        return word
    stem: str = _stemmer(lang).stemWord(word)
    return stem


def latin_tokens(text: str, lang: str) -> list[str]:
    """Lower-cased, accent-free, Snowball-stemmed words; Japanese runs kept whole."""
    text = normalize(text).lower()
    tokens = [_stem(w, lang) for w in _WORD.findall(strip_accents(text.replace("'", "'")))]
    tokens.extend(_JA_RUN.findall(text))
    return tokens


# ---------------------------------------------------------------- string lookup


class Trie:
    """Strings and what each stands for, found in a text by one walk over its characters.

    A node is a dict from the next character to the next node; the empty string (never a
    character) holds the payloads of the strings that end there."""

    __slots__ = ("root",)

    def __init__(self, items: Iterable[tuple[str, Any]]) -> None:
        root: dict[str, Any] = {}
        for key, payload in items:
            if not key:
                raise ValueError("a Trie key must not be empty")
            node = root
            for ch in key:
                node = node.setdefault(ch, {})
            node.setdefault("", []).append(payload)
        self.root = root

    def scan(self, text: str, *, word_start: bool = False) -> list[tuple[int, list[Any]]]:
        """(position, payloads) for every key found in `text`, by position then length; with
        `word_start`, only keys that begin a word (the character before is not a letter or
        digit)."""
        found: list[tuple[int, list[Any]]] = []
        root = self.root
        end = len(text)
        starts = word_starts(text) if word_start else range(end)
        for start in starts:
            node = root.get(text[start])
            after = start + 1
            while node is not None:
                payloads = node.get("")
                if payloads is not None:
                    found.append((start, payloads))
                if after == end:
                    break
                node = node.get(text[after])
                after += 1
        return found


@lru_cache(maxsize=16)  # the concept, hyperbole and crisis lexicons read the same text in a row
def word_starts(text: str) -> tuple[int, ...]:
    """Where the words of `text` begin (a tuple: the cached answer is shared)."""
    return tuple(m.start() for m in _WORD_START.finditer(text))


# A character that begins a word: what follows neither a letter nor a digit ("_" counts as a
# word character here, as in the lexicons' patterns, but does not join words).
_WORD_START = re.compile(r"(?<![^\W_])\w")
