"""Canned replies: texts a consultant starts an answer from, one set per resident language.

Everyone reads them; only supervisors write them. Services take `session` and flush.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from handoff.errors import Forbidden, InvalidInput, NotFound
from handoff.models import CannedReply, Consultant
from handoff.schemas import MAX_TEXT

LANGUAGES = ("ja", "en", "pt")
MAX_TITLE = 100
# A first set for a new deployment, so the reply box has something to start from.
STARTERS: dict[str, tuple[tuple[str, str], ...]] = {
    "ja": (
        (
            "最初のごあいさつ",
            "ご相談ありがとうございます。書いてくださった内容を読みました。"
            "もう少し詳しくお聞きしてもよろしいですか。"
            "ご都合のよい連絡方法（このまま文字で、またはお電話）も教えてください。",
        ),
        (
            "窓口へのおつなぎ",
            "一緒に考えられる窓口があります。よろしければ、担当の機関におつなぎします。"
            "書いてくださった内容は引き継ぎますので、同じお話を繰り返す必要はありません。",
        ),
    ),
    "en": (
        (
            "First greeting",
            "Thank you for writing to us. I have read your message. May I ask you a little "
            "more? Please also tell me how you would like us to contact you (here in writing, "
            "or by phone).",
        ),
        (
            "Connecting to an agency",
            "There is an office that can help with this. If you agree, I will connect you with "
            "them. I will pass on what you wrote, so you will not need to tell it again.",
        ),
    ),
    "pt": (
        (
            "Primeira saudação",
            "Obrigado por nos escrever. Li a sua mensagem. Posso perguntar um pouco mais? "
            "Diga também como prefere que entremos em contato (aqui por escrito ou por "
            "telefone).",
        ),
        (
            "Encaminhar a uma instituição",
            "Há um serviço que pode ajudar com isso. Se você concordar, vou encaminhar você "
            "para lá. Vou passar o que você escreveu, então não vai precisar contar tudo de "
            "novo.",
        ),
    ),
}


def canned_replies(*, session: Session, language: str | None = None) -> list[CannedReply]:
    """The canned replies (of one resident language), by language then title."""
    query = select(CannedReply).options(selectinload(CannedReply.updated_by))
    if language is not None:
        query = query.where(CannedReply.language == language)
    return list(session.scalars(query.order_by(CannedReply.language, CannedReply.title)))


def _check(editor: Consultant, *, language: str, title: str, text: str) -> tuple[str, str]:
    if not editor.is_supervisor:
        raise Forbidden("only supervisors edit canned replies")
    if language not in LANGUAGES:
        raise InvalidInput(f"canned replies are written in {', '.join(LANGUAGES)}")
    title, text = title.strip(), text.strip()
    if not 1 <= len(title) <= MAX_TITLE:
        raise InvalidInput(f"a title needs 1 to {MAX_TITLE} characters")
    if not 1 <= len(text) <= MAX_TEXT:
        raise InvalidInput(f"a canned reply needs 1 to {MAX_TEXT} characters")
    return title, text


def add_canned_reply(
    *, session: Session, editor: Consultant, language: str, title: str, text: str, now: datetime
) -> CannedReply:
    """A new canned reply (supervisors only)."""
    title, text = _check(editor, language=language, title=title, text=text)
    reply = CannedReply(
        language=language, title=title, text=text, updated_by_id=editor.id, updated_at=now
    )
    session.add(reply)
    session.flush()
    return reply


def get_canned_reply(*, session: Session, canned_id: int) -> CannedReply:
    """One canned reply."""
    reply = session.get(CannedReply, canned_id)
    if reply is None:
        raise NotFound(f"no canned reply {canned_id}")
    return reply


def update_canned_reply(
    *,
    session: Session,
    editor: Consultant,
    canned_id: int,
    language: str,
    title: str,
    text: str,
    now: datetime,
) -> CannedReply:
    """Rewrite a canned reply (supervisors only); who and when are kept."""
    title, text = _check(editor, language=language, title=title, text=text)
    reply = get_canned_reply(session=session, canned_id=canned_id)
    reply.language, reply.title, reply.text = language, title, text
    reply.updated_by_id, reply.updated_at = editor.id, now
    session.flush()
    return reply


def delete_canned_reply(*, session: Session, editor: Consultant, canned_id: int) -> None:
    """Remove a canned reply (supervisors only)."""
    if not editor.is_supervisor:
        raise Forbidden("only supervisors edit canned replies")
    session.delete(get_canned_reply(session=session, canned_id=canned_id))
    session.flush()


def add_starter_replies(*, session: Session, editor: Consultant, now: datetime) -> int:
    """Add the starter set for every language that has no canned reply yet (supervisors)."""
    if not editor.is_supervisor:
        raise Forbidden("only supervisors edit canned replies")
    have = set(session.scalars(select(CannedReply.language).distinct()))
    added = 0
    for language, starters in STARTERS.items():
        if language in have:
            continue
        for title, text in starters:
            add_canned_reply(
                session=session, editor=editor, language=language, title=title, text=text, now=now
            )
            added += 1
    return added
