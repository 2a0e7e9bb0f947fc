"""The life-issue taxonomy: ids, labels and one-sentence descriptions in each language."""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES: tuple[str, ...] = ("ja", "en", "pt")


@dataclass(frozen=True, slots=True)
class Domain:
    """One life-issue domain with its label and plain description per language."""

    id: str
    labels: dict[str, str]
    descriptions: dict[str, str]

    def label(self, lang: str) -> str:
        """The short label in `lang` (Japanese when the language is unknown)."""
        return self.labels.get(lang, self.labels["ja"])

    def description(self, lang: str) -> str:
        """The one-sentence description in `lang` (Japanese when unknown)."""
        return self.descriptions.get(lang, self.descriptions["ja"])


def _domain(
    domain_id: str, labels: tuple[str, str, str], descriptions: tuple[str, str, str]
) -> Domain:
    return Domain(
        id=domain_id,
        labels=dict(zip(LANGUAGES, labels, strict=True)),
        descriptions=dict(zip(LANGUAGES, descriptions, strict=True)),
    )


DOMAINS: tuple[Domain, ...] = (
    _domain(
        "elderly_care",
        ("介護・高齢", "elderly care", "cuidado de idosos"),
        (
            "お年寄りの介護や、暮らしの支えのこと。",
            "Caring for an older person, or support for daily life in old age.",
            "Cuidar de uma pessoa idosa, ou apoio para a vida na velhice.",
        ),
    ),
    _domain(
        "disability",
        ("障害", "disability", "deficiência"),
        (
            "障害のある方の暮らしや、使える支援のこと。",
            "Life with a disability, and the support you can use.",
            "A vida com deficiência e o apoio que você pode usar.",
        ),
    ),
    _domain(
        "child_parenting",
        ("子育て・妊娠", "parenting and pregnancy", "filhos e gravidez"),
        (
            "妊娠や出産、小さなお子さんの子育てのこと。",
            "Pregnancy, birth, and raising young children.",
            "Gravidez, parto e a criação de crianças pequenas.",
        ),
    ),
    _domain(
        "school",
        ("学校・教育", "school and education", "escola e educação"),
        (
            "学校に行けない、いじめ、学費など、学校や勉強のこと。",
            "School and learning: not going to school, bullying, school costs.",
            "Escola e estudos: não ir à escola, bullying, gastos escolares.",
        ),
    ),
    _domain(
        "living_costs",
        ("生活費・生活困窮", "money and living costs", "dinheiro e custo de vida"),
        (
            "食べ物や光熱費など、暮らしのお金が足りないこと。",
            "Not having enough money for food, bills and daily life.",
            "Não ter dinheiro suficiente para comida, contas e o dia a dia.",
        ),
    ),
    _domain(
        "debt",
        ("借金", "debt", "dívidas"),
        (
            "借りたお金や、払えない請求、督促のこと。",
            "Money you owe: loans, unpaid bills, and demand letters.",
            "Dinheiro que você deve: empréstimos, contas atrasadas e cobranças.",
        ),
    ),
    _domain(
        "work",
        ("仕事・就労", "work and jobs", "trabalho e emprego"),
        (
            "仕事を失った、仕事を探している、職場がつらいなど、仕事のこと。",
            "Work: losing a job, looking for one, or trouble at work.",
            "Trabalho: perder o emprego, procurar um, ou problemas no serviço.",
        ),
    ),
    _domain(
        "housing",
        ("住まい", "housing", "moradia"),
        (
            "家賃や住む場所、家を出なければならないことなど、住まいのこと。",
            "Your home: rent, a place to live, or having to move out.",
            "Sua casa: aluguel, um lugar para morar, ou ter que sair.",
        ),
    ),
    _domain(
        "health",
        ("健康・医療", "health and medical care", "saúde e atendimento médico"),
        (
            "病気やけが、病院や医療費のこと。",
            "Illness or injury, hospitals, and medical costs.",
            "Doença ou ferimento, hospitais e gastos médicos.",
        ),
    ),
    _domain(
        "mental_health",
        ("こころの健康", "mental health", "saúde mental"),
        (
            "気持ちが沈む、眠れない、不安が続くなど、こころのこと。",
            "How you feel inside: low mood, worry, or trouble sleeping.",
            "Como você se sente: tristeza, ansiedade ou dificuldade para dormir.",
        ),
    ),
    _domain(
        "isolation",
        ("孤立・ひきこもり", "isolation and withdrawal", "isolamento"),
        (
            "話せる人がいない、家から出られないなど、ひとりで抱えていること。",
            "Feeling alone, having no one to talk to, or staying shut in at home.",
            "Sentir-se só, não ter com quem falar, ou ficar fechado em casa.",
        ),
    ),
    _domain(
        "violence_abuse",
        ("暴力・虐待", "violence and abuse", "violência e abuso"),
        (
            "家族などからの暴力や虐待、つきまといのこと。",
            "Violence or abuse from a partner, family or someone else.",
            "Violência ou abuso de um parceiro, da família ou de outra pessoa.",
        ),
    ),
    _domain(
        "foreign_residency",
        ("在留・ことば", "residency and language", "residência e idioma"),
        (
            "ビザや在留カード、日本語の書類や言葉の壁のこと。",
            "Visas, the residence card, Japanese paperwork, and language barriers.",
            "Visto, zairyu card, papéis em japonês e a barreira do idioma.",
        ),
    ),
    _domain(
        "legal_rights",
        ("法律・権利", "legal trouble and rights", "questões jurídicas e direitos"),
        (
            "契約や詐欺、離婚、相続など、法律や権利のこと。",
            "Legal matters and your rights: contracts, scams, divorce, inheritance.",
            "Questões jurídicas e seus direitos: contratos, golpes, divórcio, herança.",
        ),
    ),
    _domain(
        "crisis",
        ("緊急・いのちの危機", "crisis", "crise"),
        (
            "いのちや安全が、いま危ないこと。",
            "Your life or safety is in danger right now.",
            "Sua vida ou sua segurança está em perigo agora.",
        ),
    ),
)

DOMAIN_IDS: tuple[str, ...] = tuple(domain.id for domain in DOMAINS)
BY_ID: dict[str, Domain] = {domain.id: domain for domain in DOMAINS}
CRISIS = "crisis"


def get(domain_id: str) -> Domain:
    """The domain with this id; KeyError for an unknown id."""
    return BY_ID[domain_id]
