from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier.domains import DOMAIN_IDS
from classifier.model import Tagger


def _valid(answer: dict[str, object]) -> None:
    assert answer["lang"] in {"ja", "en", "pt"}
    domains = answer["domains"]
    scores = answer["scores"]
    assert isinstance(domains, list) and isinstance(scores, dict)
    assert set(domains) <= set(DOMAIN_IDS) and set(scores) == set(DOMAIN_IDS)
    assert all(0.0 <= s <= 1.0 for s in scores.values())
    assert answer["crisis"] == ("crisis" in domains)
    json.dumps(answer)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(alphabet=st.characters(codec=None), max_size=300),
    st.sampled_from([None, "ja", "en", "pt"]),
)
def test_any_unicode_gets_a_well_formed_answer(
    tagger: Tagger, message: str, lang: str | None
) -> None:
    _valid(tagger.tag(message, lang).as_dict())


def test_awkward_inputs_get_well_formed_answers(tagger: Tagger) -> None:
    for message in [
        "",
        "   ",
        "\x00\x01\x02",
        "😭😭😭",
        "🙏",
        "母の介護 and my job perdi",
        "\ud800abc",
        "家賃" * 50_000,
        "a" * 100_000,
        "\u202e\u200b",
    ]:
        _valid(tagger.tag(message).as_dict())
