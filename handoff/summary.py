"""The warm-transfer summary a consultant reads first, so the resident never tells it twice."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from classifier import domains as taxonomy
from handoff.hours import DEFAULT_TIMEZONE

MAX_KEY_SENTENCES = 4
MAX_SENTENCE_CHARS = 140

LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    "ja": {
        "ja": "日本語",
        "en": "英語",
        "pt": "ポルトガル語",
        "es": "スペイン語",
        "zh": "中国語",
        "ko": "韓国語",
        "vi": "ベトナム語",
        "tl": "タガログ語",
        "ne": "ネパール語",
    },
    "en": {"ja": "Japanese", "en": "English", "pt": "Portuguese", "es": "Spanish"},
    "pt": {"ja": "japonês", "en": "inglês", "pt": "português", "es": "espanhol"},
}

_HEADINGS: dict[str, dict[str, str]] = {
    "ja": {
        "urgency": "緊急度",
        "domains": "分野",
        "language": "言語",
        "interpreter": "（通訳が必要）",
        "channel": "経路",
        "source": "リンク元",
        "received": "受付",
        "waiting": "待ち時間",
        "story": "ご本人のことば（抜粋）",
        "handover": "引き継ぎメモ",
        "none": "なし",
        "crisis": "緊急（いのちの危機）",
        "high": "高",
        "normal": "通常",
        "line": "LINE",
        "web": "学校メールのリンクからのWebチャット",
        "minutes": "{m}分",
        "hours": "{h}時間{m}分",
        "days": "{d}日{h}時間",
    },
    "en": {
        "urgency": "Urgency",
        "domains": "Domains",
        "language": "Language",
        "interpreter": " (needs an interpreter)",
        "channel": "Channel",
        "source": "Link source",
        "received": "Received",
        "waiting": "Waiting",
        "story": "In the resident's words (excerpt)",
        "handover": "Handover note",
        "none": "none",
        "crisis": "CRISIS (life or safety at risk)",
        "high": "high",
        "normal": "normal",
        "line": "LINE",
        "web": "web chat from a school-mail link",
        "minutes": "{m} min",
        "hours": "{h} h {m} min",
        "days": "{d} d {h} h",
    },
    "pt": {
        "urgency": "Urgência",
        "domains": "Áreas",
        "language": "Idioma",
        "interpreter": " (precisa de intérprete)",
        "channel": "Canal",
        "source": "Origem do link",
        "received": "Recebido",
        "waiting": "Espera",
        "story": "Nas palavras da pessoa (trecho)",
        "handover": "Nota de transferência",
        "none": "nenhum",
        "crisis": "CRISE (vida ou segurança em risco)",
        "high": "alta",
        "normal": "normal",
        "line": "LINE",
        "web": "chat web por link do e-mail da escola",
        "minutes": "{m} min",
        "hours": "{h} h {m} min",
        "days": "{d} d {h} h",
    },
}

_SENTENCE_END = re.compile(r"(?<=[。．！？!?])|(?<=[.](?=\s))|\n+")
_SIGNALS = re.compile(
    r"(困|できな|ない|助け|相談|怖|こわ|つら|辛|死|暴力|お金|払え|借金|家賃|仕事|学校|病|"
    r"help|can't|cannot|don't|afraid|scared|money|rent|debt|job|school|sick|hurt|"
    r"ajuda|não|medo|dinheiro|aluguel|dívida|trabalho|escola|doente|"
    r"\d)",
    re.IGNORECASE,
)


def _headings(reader: str) -> dict[str, str]:
    return _HEADINGS.get(reader, _HEADINGS["ja"])


def language_name(code: str, reader: str = "ja") -> str:
    """The name of language `code`, written for a `reader`."""
    return LANGUAGE_NAMES.get(reader, LANGUAGE_NAMES["ja"]).get(code, code)


def domain_words(domain_ids: Sequence[str], reader: str = "ja") -> str:
    """Domain ids in words, in the reader's language ('介護・高齢、借金')."""
    separator = "、" if reader == "ja" else ", "
    labels = [
        taxonomy.get(domain_id).label(reader) if domain_id in taxonomy.BY_ID else domain_id
        for domain_id in domain_ids
    ]
    return separator.join(labels)


def split_sentences(text: str) -> list[str]:
    """Split a resident's message into sentences (Japanese and Latin punctuation)."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


def key_sentences(texts: Sequence[str], *, limit: int = MAX_KEY_SENTENCES) -> list[str]:
    """The sentences that carry the story, in the order the resident wrote them.

    The first sentence is kept (it usually names the worry); the rest are ranked by how many
    signals of need they carry, then by length, and clipped so the summary stays short.
    """
    sentences: list[str] = []
    for text in texts:
        for sentence in split_sentences(text):
            if sentence not in sentences:
                sentences.append(sentence)
    if len(sentences) <= limit:
        chosen = list(range(len(sentences)))
    else:
        ranked = sorted(
            range(1, len(sentences)),
            key=lambda i: (-len(_SIGNALS.findall(sentences[i])), -len(sentences[i]), i),
        )
        chosen = sorted([0, *ranked[: limit - 1]])
    return [_clip(sentences[i]) for i in chosen]


def _clip(sentence: str) -> str:
    if len(sentence) <= MAX_SENTENCE_CHARS:
        return sentence
    return sentence[: MAX_SENTENCE_CHARS - 1] + "…"


def waiting_words(waited: timedelta, reader: str = "ja") -> str:
    """'2時間15分' / '2 h 15 min': how long the resident has been waiting."""
    words = _headings(reader)
    minutes = max(0, int(waited.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return words["days"].format(d=days, h=hours)
    if hours:
        return words["hours"].format(h=hours, m=mins)
    return words["minutes"].format(m=mins)


@dataclass(frozen=True, slots=True, kw_only=True)
class SummaryInput:
    """Everything the summary is made of; nothing here is looked up."""

    texts: Sequence[str]
    domains: Sequence[str]
    language: str
    channel: str
    urgency: str
    received_at: datetime
    source_label: str | None = None
    needs_interpreter: bool = False
    handover_notes: Sequence[str] = ()
    timezone: str = DEFAULT_TIMEZONE


def build_summary(facts: SummaryInput, *, reader: str = "ja") -> str:
    """The warm-transfer summary in the reader's language (Japanese by default)."""
    words = _headings(reader)
    received = facts.received_at.astimezone(ZoneInfo(facts.timezone))
    language = language_name(facts.language, reader)
    if facts.needs_interpreter:
        language += words["interpreter"]
    lines = [
        f"{words['urgency']}: {words.get(facts.urgency, facts.urgency)}",
        f"{words['domains']}: {domain_words(facts.domains, reader) or words['none']}",
        f"{words['language']}: {language}",
        f"{words['channel']}: {words.get(facts.channel, facts.channel)}",
    ]
    if facts.source_label:
        lines.append(f"{words['source']}: {facts.source_label}")
    lines.append(f"{words['received']}: {received:%Y-%m-%d %H:%M}")
    sentences = key_sentences(facts.texts)
    if sentences:
        lines.append(f"{words['story']}:")
        lines.extend(f"・{sentence}" for sentence in sentences)
    for note in facts.handover_notes:
        lines.append(f"{words['handover']}: {note}")
    return "\n".join(lines)


def with_waiting_time(
    summary: str, *, received_at: datetime, now: datetime, reader: str = "ja"
) -> str:
    """The stored summary with how long the resident has waited, as of `now`."""
    words = _headings(reader)
    return f"{summary}\n{words['waiting']}: {waiting_words(now - received_at, reader)}"
