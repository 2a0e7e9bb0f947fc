from __future__ import annotations

import pytest

from classifier.crisis import crisis_expression


@pytest.mark.parametrize(
    "message",
    [
        "もう死にたい",
        "しにたい",
        "シニタイ",
        "消えてしまいたい",
        "生きてる意味がわからない",
        "薬を全部飲んだ",
        "今、夫に殴られてる。助けて",
        "I want to kill myself",
        "i dont want to wake up tomorrow",
        "he is hitting me right now",
        "I took all my pills",
        "quero morrer",
        "nao aguento mais viver",
        "ele ta me batendo agora",
        "tomei todos os remedios da caixa",
        # veiled: farewells, preparations, danger now
        "長いあいだお世話になりました。部屋の鍵はポストに入れておきます。今日で最後にします",
        "車に七輪を積んできた",
        "いま父が母を殴ってます",
        "this baby won't stop and I'm scared I'll end up throwing her against the wall",
        "I won't be needing my winter coat. give it to whoever wants it. I'm a burden anyway",
        "i bought charcoal and taped the car windows",
        "ja escrevi pra minha irma quem fica com o gato. desculpa por tudo",
        "socorro, ele ta com uma faca na cozinha",
        "meu pai caiu e nao respira",
        "祖母と3日連絡がとれない。家に行ったら鍵がかかってて、中から物音もしない",
        "母が電話に2日出ません",
        "my stepfather is hitting my little sister right now and mom isnt home",
        "boyfriend is outside my door banging, says he will break it",
        "se eu contar pra alguem ele me mata",
        "to com medo de nao amanhecer viva",
        "to pensando em acabar com tudo, de verdade, nao e drama",
        "隣のおばあちゃん、雨戸が閉まったまま。チャイム鳴らしても返事がありません",
        "認知症の祖父が夜中から家にいません。外は雪です",
        "元夫が家の前で「殺してやる」って叫んでる",
        "彼氏に首しめられて外に逃げた",
        "駅のホームにいます 次の快速で終わりにする",
        "薬ずっとためてある。今夜全部飲もうと思ってる",
        "kids next door alone in the apato since yesterday, mother not come back",
        "my father has dementia and walked out of the house 5 hours ago",
        "I have decided this is my last week. I'm too tired to keep going",
        "she is cutting her arms again",
        "cansei de viver. essa noite eu termino com isso",
        "a vizinha deixou as criancas sozinhas no apato faz 2 dias",
        "minha mae falou que nao quer ser peso pra ninguem",
        "じいちゃんが田んぼで倒れでる、息してっかわがんね",
        "my mother-in-law has dementia and went out alone at 9pm. still not back",
        "the baby next door has been crying for two days",
        "the boss hit him with a stick and his head is bleeding",
        "minha mae tem demencia e saiu de madrugada, ate agora nao voltou",
        "acidente na fabrica, o braco dele ficou preso na prensa, ta sangrando muito",
        # emergencies happening now
        "息子があめを喉につまらせて顔が紫に!!",
        "2歳の娘がお風呂に沈んでて、いま引き上げたけどぐったりしてる",
        "隣の部屋から煙出てる!!中に寝たきりのおばあちゃんがいる",
        "夫が家に火をつけるって言って灯油まいてる",
        "抱っこしてる赤ちゃんを窓から落としてしまいそうで怖い",
        "知的障害のある弟が朝から行方不明です",
        "足場から同僚がおちた 意識ない うごかない",
        "kyou de owari ni shimasu",
        "baby choking cant breathe what number",
        "just took like 30 of my antidepressants, feeling dizzy",
        "I have been thinking very seriously about ending my life",
        "My son has autism and nobody can find him for 40 minutes",
        "my wife fell down the stairs, she is pregnant and bleeding much",
        "acabei de tomar uma cartela inteira de remedio pra dormir",
        "meu filho de 2 anos ta engasgado nao consegue respirar",
        "incendio no andar de cima, tem fumaca no corredor e a moca ainda ta la dentro",
        "meu sogro tem demencia e saiu de madrugada, ja procuramos o bairro todo e nada",
        "dei o videogame e as roupas pros amigos... depois que eu for ninguem liga",
    ],
)
def test_explicit_and_indirect_crisis_expressions_are_found(message: str) -> None:
    assert crisis_expression(message) is not None


@pytest.mark.parametrize(
    "message",
    [
        "死ぬほど眠い",
        "笑い死にしそう",
        "推しが尊くて死ぬ",
        "this heat is killing me",
        "I almost died laughing",
        "my feet are killing me after work",
        "morrendo de rir kkkk",
        "to morta de cansaço",
        "esse calor ta me matando",
        "仕事を終わらせたい",
        "今まで殴られてきたことはない",
        # other senses of words the lexicon watches
        "飛び込み営業のノルマがきつい",
        "予約なしの飛び込みで診てくれる小児科はありますか",
        "忙しさに殺される。今月休み2日",
        "取り返しのつかないミスをして始末書を書いた",
        "腰が痛すぎて楽になりたい",
        "がんの痛みがつらい母を少しでも楽にしてあげたい",
        "I don't want to live in this apartment anymore, the walls are paper thin",
        "my son can't go on the school trip because we missed the fee",
        "she jumped off the swings and twisted her ankle",
        "I've written my will and want a notary to check it",
        "nao aguento mais viver longe dos meus filhos",
        "socorro, o banco bloqueou minha conta",
        "cortei o cabelo curtinho",
    ],
)
def test_hyperbole_and_idioms_do_not_fire(message: str) -> None:
    assert crisis_expression(message) is None


def test_the_index_never_hides_a_pattern_that_matches() -> None:
    """Indexed matching agrees with running every pattern, over the whole corpus."""
    from classifier import corpus
    from classifier.crisis import LEXICON, PatternSet, _search, prepare

    def brute(patterns: PatternSet, text: str) -> bool:
        return any(_search(p, text, patterns.word_start) for p in patterns.patterns)

    sets = (LEXICON.latin, LEXICON.japanese, LEXICON.latin_hyperbole, LEXICON.japanese_hyperbole)
    every = [corpus.TRAIN_DIR, corpus.DEV_DIR, corpus.TEST_DIR]
    for example in [ex for directory in every for ex in corpus.load(directory)]:
        prepared = prepare(example.text)
        for patterns in sets:
            assert (patterns.first(prepared) is not None) == brute(patterns, prepared), example.text


@pytest.mark.parametrize(
    "message",
    [
        "昔は死にたいってよく思ってたけど、今は薬が合って楽しい",
        "死にたいとかではないけど、気分が沈む",
        "I had suicidal thoughts years ago and got treatment",
        "I'm not suicidal, just lonely",
        "vi um documentario sobre suicidio",
        "aff quero morrer, mandei o curriculo errado kkkk",
        "人狼で初日に殺された笑",
        "上司に死にたいくらい怒られた…って言うのは言い過ぎだけど、つらい",
        "授業で自殺予防のポスターを作る",
        "No, I don't want to hurt myself. I'm just tired of this job",
        "perdi o emprego mas calma, nao vou fazer besteira, so quero trabalho",
        "tentei me matar quando eu tinha 17 anos, hoje tenho 34 e to bem",
        "ヤミ金の利息がおかしい",
        "死んだほうがましってくらい腰が痛い",
        "上司に殺される〜締め切り明日なのにw",
        "先輩が亡くなりました。自殺だったそうです",
        "minha chefe vai me matar, errei o pedido de novo",
        "choro no banho pra nao acordar ninguem",
        "vi um drama sobre suicidio",
        "うちの猫が3日帰ってこない。首輪は赤です",
        "首つりの夢をみた。縁起悪い？",
        "4歳の息子がヒーローごっこで「ころすぞー」って言う",
        "リスカの跡が消えなくて夏でも長袖。もう何年もやってない",
        "She said clearly she won't hurt herself, but she refuses to see a doctor",
        "来月引っ越すので、このLINEも今日で最後になります。ありがとうございました",
        "essa é minha ultima mensagem aqui, amanha volto pro brasil de vez. obrigada por tudo",
        "同じ部署の人が自殺した。何か気づけたんじゃないかって考えてる",
        "前は本気で死にたいと思ってた時期もあったけど、今は通院して落ち着いてます",
        "上司に毎日「次ミスったら殺すぞ」って言われてる",
        "tenho depressao, mas nao penso em fazer besteira nem nada",
        "vi no jornal o caso do brasileiro que se suicidou",
        "my husband's company is bleeding money",
        "minha sogra tem demencia e ontem saiu de casa sozinha, a policia trouxe de volta",
        "im drowning in debt and i don't know how to stop",
        "sometimes i get so anxious i can't breathe",
        "insurance company refuses to pay after the fire in our apartment",
        "私たちがいなくなったら、知的障害のある息子はどこで暮らせばいいのでしょう",
        "昨日、父がお餅をのどに詰まらせて大騒ぎでしたが、すぐ取れて無事でした",
        "アパートが火事になって焼け出されました。けが人はいません",
        "「殺すぞ」が口ぐせの上司がいる",
        "消えたいなーって思うことはたまにあるけど、死にたいとかじゃないです",
        "se um dia eu vir alguem desmaiado na rua, qual o numero da ambulancia?",
        "Estou fazendo um trabalho da faculdade sobre suicidio entre imigrantes",
        "meu sogro com alzheimer sumiu ontem mas a policia achou ele hoje de manha",
        "vi um jogo sobre suicidio",
    ],
)
def test_denied_past_reported_or_joking_mentions_do_not_fire(message: str) -> None:
    assert crisis_expression(message) is None


def test_a_denial_in_another_sentence_does_not_hide_a_crisis() -> None:
    assert crisis_expression("昔のことじゃない。今夜、死にたい") is not None
