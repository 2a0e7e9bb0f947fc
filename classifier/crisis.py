"""The crisis lexicon: explicit and indirect expressions of suicide, self-harm and danger now.

Recall comes first: a lexicon hit marks a message as crisis whatever the model says. Hyperbole
("死ぬほど眠い", "this heat is killing me", "morrendo de rir") is removed before matching, so
an idiom never fires the lexicon on its own. Patterns run on `prepare(text)`: NFKC, lower case,
accents stripped, katakana folded to hiragana.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

from classifier.text import (
    HIRAGANA_SHIFT,
    Trie,
    is_romaji,
    lexical_form,
    normalize,
    romaji_text_to_hiragana,
)

# ------------------------------------------------------------------ Japanese (hiragana-folded)
_JA_CRISIS = [
    # wanting to die, disappear, end it
    r"(死|し)に(たい|たく|てえ|てー)",
    r"(死|し)んで?(しまい|しまおう|やる)たい?",
    r"(死|し)のう([。、!！?？\s」]|$|と|か)",
    r"(死|し)ぬ(と|って)(言|い)|(一緒|いっしょ)に(死|し)|(死|し)んで(お詫び|おわび|償|つぐな)",
    r"(消|き)え(ちゃ|ちま)いたい|(?<!を)(終|お)わりにしたい",
    r"(私|わたし|僕|ぼく|俺|おれ)は?もう(いない|いなく)",
    r"(川|かわ|海|うみ)に(入|はい)ろう|(生|い)きて(い)?ても(仕方|しかた|意味|いみ)",
    r"(生|い)きてる(の|こと)が?\s?(つらい|辛い|しんどい|むり|無理)|生きたくない|もう\s?いきたくない",
    r"(手首|てくび|腕|うで)に(刃|カミソリ|かみそり|ナイフ|ないふ)",
    r"(柵|さく|手すり|てすり)を?(越|こ|乗り越|のりこ)え",
    r"(ベランダ|べらんだ|屋上|窓|まど)から(下|した)を(見|み)",
    r"(死|し)んだ(ほう|方)が(まし|らく|楽|いい|良い)",
    r"(死|し)ぬ(しか|つもり|ことに|方法|ほうほう|準備)",
    r"(死|し)に(場所|ばしょ|方|かた)を",
    r"自(殺|死)(?!(対策|予防|防止|率|者数))|じさつ|希死",
    r"(消|き)え(たい|てしまいたい|てなくなりたい)",
    r"いなくなりたい|居なくなりたい|いなくなったほうが|いない(ほう|方)が",
    r"(生|い)き(てい?る|ていく)(意味|いみ|価値|かち)が?(ない|無い|わからない|分からない|見つからない)",
    r"(生|い)き(てい?たくない|ていたく|る(の|こと)が(つらい|辛い|しんどい|もう無理))",
    r"(生|い)きる(気力|きりょく)",
    r"(もう|人生|全部|ぜんぶ|すべて|何もかも|なにもかも)を?(終|お)わりにしたい|楽になりたい|らくになりたい",
    r"(生|う)まれてこなければ",
    r"(生|い)きて(いられ|いけ|ゆけ)(る気が|ない)",
    r"(死|し)んでも(いい|かまわ|構わ)",
    r"(死|し)んだら(楽|らく)|(死|し)ねば|(死|し)ね(る|ますか)",
    r"(死|し)んで(た|い)?たら(いい|よかった)",
    r"(明日|あした)が(来|こ)なければ|(目|め)が(覚|さ)めなければ",
    r"(今夜|こんや|今日|きょう)で(終|お)わり",
    r"もう.{0,6}(さようなら|さよなら)",
    r"(誰|だれ)か(止|と)めて",
    r"取り返しのつかないことを?(して(しまい)?そう|する(前|まえ)|しそう)",
    r"(楽|らく)に(死|しね|しぬ|しに)",
    r"(死|し)にます(?!か)|(責任|せきにん)を?(取|と)って(死|し)",
    # means and preparations
    r"(首|くび)を?(吊|つ|くく|括)",
    r"(飛|と)び(降|お)り|(飛|と)び(込|こ)(み|む|も|ん)",
    r"(線路|ホームの端|屋上|橋の上|ビルの上)に?.{0,8}(立って|たって|いる|います|来た|きた|来てる|きてる)",
    r"リスカ|リストカット|アムカ|(手首|腕|うで|てくび)を?(切|き)(っ|る|り)",
    r"自傷|じしょう",
    r"オーバードーズ|\bod\b|(薬|くすり).{0,8}(全部|ぜんぶ|大量|たいりょう|まとめて|一気|いっき|たくさん|いっぱい).{0,6}(飲|の)",
    r"遺書(?!.{0,40}(遺言|ゆいごん|公正証書))|いしょを",
    r"練炭|れんたん",
    r"ロープ\s?(を|買|かっ|用意|よう)",
    r"(保険金|ほけんきん)で",
    r"(切|き)りたくな",
    r"(睡眠薬|すいみんやく|薬|くすり).{0,12}(お酒|酒|何錠|なんじょう)",
    r"(ホーム|ほーむ)の.{0,6}(端|はし)",
    # violence and danger now
    r"(いま|今)(?!まで)[^。]{0,15}(殴|なぐ|蹴|叩|たた|暴れ|あばれ|刃物|包丁|ほうちょう)",
    r"(包丁|ほうちょう|刃物|はもの|ナイフ)を?(持|も|振|ふ|向|む|突き)",
    r"(殺|ころ)さ(れる|れそう|れ)",
    r"(殺|ころ)す(ぞ|って|と言|といわ|と脅|とおど|[」』\"])",
    r"(助|たす)けて(?!(もら|くれ|あげ|いただ|くださ))[^。]{0,6}(いま|今|すぐ|早く|はやく)",
    r"(意識|いしき)が?(ない|無い)|(息|いき)をしていない",
    r"(倒|たお)れ(て|で).{0,12}(返事|へんじ|動か|うごか|息|いき|起き上がれ|おきあがれ)",
    # no sign of life from someone for days: a welfare check, now
    r"(中|なか)から(物音|ものおと|音|おと)(が|も)?(しな|しませ)",
    r"(電話|でんわ)に(\d+|何|なん|数|すう)日(も|間|かん)?(出|で)(な|ませ)",
    r"(チャイム|インターホン|ドア|玄関)を?(鳴|な)らしても.{0,6}(返事|へんじ|応答|おうとう|反応|はんのう|出てこ|でてこ)",
    r"(雨戸|あまど)が?.{0,10}(閉|し)まったまま",
    # emergencies happening now: choking, drowning, fire, gas, cold, a threat with fuel, a fear of harming a baby
    r"(喉|のど)に.{0,6}(詰|つ)ま(らせ|って)|(顔|かお)が(紫|むらさき|青|あお)",
    r"(溺|おぼ)れ(て|た|そう)|(お風呂|おふろ|風呂|ふろ|プール|ぷーる|川|かわ)に(沈|しず)んで",
    r"(煙|けむり)が?(出て|でて|充満)|(火事|かじ)(だ|です|になって(る|います)|!|！)|(燃|も)えて(る|います)",
    r"(火|ひ)を(つけ|付け)る(って|と)|(灯油|とうゆ|ガソリン|がそりん)(を)?(まい|撒い|かけ)",
    r"(ガス|がす).{0,30}(応答|おうとう|返事|へんじ|反応|はんのう|出てこ|でてこ)|(体|からだ)が(冷|つめ)たく(なって|なりかけ)",
    r"((落と|おと)して|(傷つけ|きずつけ)て|(叩|たた)いて|(殺|ころ)して)しまいそうで(怖|こわ)",
    r"(二人|ふたり|子ども|子供|こども)(きり|だけ)で.{0,30}(帰|かえ)って(き|こ)て?(い)?ない",
    # someone with dementia missing now (cold, night, traffic)
    r"(知的障害|ちてきしょうがい|自閉|じへい|障害のある|しょうがいのある).{0,40}(行方不明|ゆくえふめい|見つから|みつから|見当たら|みあたら)",
    r"(認知症|にんちしょう|徘徊|はいかい).{0,40}(いなくな|見当たら|みあたら|見つから|みつから|家にい(ない|ません)|出ていった|出たきり|でたきり|戻りませ|戻らな|もどらな|でていった|行方|ゆくえ|帰ってこ(な|ず)|かえってこ(な|ず))",
    r"(転|ころ|倒|たお)(ん|れ).{0,8}(起き上が|おきあが)れな",
    r"(子|こ|赤ちゃん|あかちゃん|息子|むすこ|娘|むすめ|母|父|夫|妻|弟|妹|兄|姉).{0,10}ぐったり",
    r"(変|へん)な(息|いき)|(?<![利休嘆溜])(息|いき)が(変|へん|おかし)|(空|から)(シート|の(薬|くすり))",
    r"(閉|と)じ(込|こ)められ|(首|くび)に(手|て)をかけ|(声|こえ)(が|を)?(出|だ)せない",
    r"(殴|なぐ)ってる|(殴|なぐ)り(続け|つづけ)",
    r"(子|こ|赤ちゃん|あかちゃん).{0,15}(一人|ひとり)(きり|で|ぼっち)?.{0,20}([0-9０-９一二三四五何]日|泣き|なき)",
    r"(親|おや)の(姿|すがた)を?(見|み)て(い)?ない",
    r"(呼|よ)んで(も|いるのに).{0,4}(返事|へんじ)が?(ない|しない)",
    r"(救急車|きゅうきゅうしゃ)を?(呼ばせ|よばせ|呼べ|よべ|呼ぶべき|呼んだほう|呼んでいい)",
    r"(今|いま)すぐ.{0,6}(誰か|だれか|来て|きて|助け|たすけ)",
    r"(首|くび)を(絞|し)め|(首|くび)を[…\.]|(首|くび)(絞|し)め(られ|て)",
    r"(殺|ころ)してやる[」』]?(って|と)(叫|さけ|怒鳴|どな|言って|いって)",
    r"(駅|えき|ホーム|ほーむ|線路|せんろ|踏切|ふみきり).{0,20}(終|お)わりにする",
    r"(今夜|こんや|今日|きょう)[^。]{0,6}(全部|ぜんぶ)(飲|の)(も|む)",
    r"(助|たす)けて[」』]?って",
    r"([0-9０-９]|何|なん|一|二|三|四|五)日(くらい|ほど|も|め|目)?.{0,6}(帰|かえ)って(こ|き)ない",
    r"(帰|かえ)って(こ|き)ない.{0,6}[0-9０-９一二三四五]日(め|目)",
    r"(昨日|きのう|昨夜|ゆうべ|今朝|けさ)(の(夜|よる|朝|あさ))?から[^。]{0,6}"
    r"(母|父|親|まま|ぱぱ|夫|妻|息子|娘|お(母|かあ)さん|お(父|とう)さん)[^。]{0,6}(帰|かえ)って(き|こ)て?(い)?ない",
    r"(何日|なんにち|ずっと).{0,10}(子ども|子供|こども|赤ちゃん|あかちゃん).{0,10}(ひとり|一人)",
    r"(子ども|子供|こども|赤ちゃん|あかちゃん).{0,12}(ひとり|一人)(きり|で).{0,8}(何日|なんにち|帰ってこない|かえってこない)",
    # added from the second crisis supplement: endings, farewells, means, danger now
    r"(もう|それで|今日で|今夜で|これで)(終|お)わりにする|(もう|人生を?)(終|お)わらせ(たい|る)",
    r"(今日|きょう|今夜|こんや)で(最後|さいご)|(自分|じぶん|私|わたし|僕|ぼく|俺|おれ)が(いなく|居なく)な(れば|る(の|ほう|方)が)",
    r"(私|わたし|僕|ぼく|俺|おれ)\s?(死|し)ぬ|書き置き|かきおき|(死に方|死にかた|しにかた)",
    r"(ベルト|べると)を.{0,10}(かけ|掛け)|(首|くび).{0,10}(ベルト|べると)",
    r"(血|ち|赤いの|あかいの).{0,4}(止|と)まらない|(傷|きず)だらけ",
    r"(頭|あたま)を.{0,4}(打|う)ちつけ|(押し入れ|おしいれ|トイレ|といれ)に(隠|かく)れ",
    r"(今|いま)までありがとう|(長い|ながい)(あいだ|間)お(世話|せわ)に|(最後|さいご)までありがとう",
    r"(踏切|ふみきり|線路|せんろ)で(ずっと|じっと)|(七輪|しちりん)|(炭|すみ)を(積|つ)|(樹海|じゅかい)|(崖|がけ)の(上|うえ)",
    r"(母|父|ははおや|ちちおや|妻|夫|息子|娘)の(ところ|所|もと)(へ|に)(行|い)(き(たい)|こう)",
    r"(ゆす|揺す)っても.{0,8}(起|お)きない|(体|からだ)が(冷|つめ)たい|(唇|くちびる)が(紫|むらさき)",
    r"(呼|よ)んでも(反応|はんのう)|(柵|さく|手すり|てすり)に(片足|かたあし|足|あし)",
    r"(殴|なぐ)られて(る|いる)(?!らしい|みたい|ようで|そう)|ドアノブを(回|まわ)|(閉|し)め(出|だ)され|(決|き)めていたことを",
    r"(一緒|いっしょ)に(遠く|とおく)へ",
    r"(投げつけ|なげつけ|叩きつけ|たたきつけ|首を絞め|くびをしめ)て?しまい?そう",
    r"(殴|なぐ|蹴|け)って(ます|います)|(警察|けいさつ)を?(呼|よ)んだ(ほう|方)がいい",
]

_JA_HYPERBOLE = [
    r"(死|し)ぬ(ほど|くらい|ぐらい)",
    r"(死|し)ぬかと(思|おも)った",
    r"(死|し)にたい(?=(とか|わけ|って訳)じゃ)",  # the denial is left for the rest of the sentence
    r"(殺|ころ)さ(れる|れそう)(かと|[笑wｗ])",
    r"(消|き)えたい[〜ー～]*[（(]?[笑wｗ]",
    r"(死|し)にたくなる[wｗ笑]",
    r"(死|し)にそう(な|に)?(くらい|ほど)?(眠|ねむ|暑|あつ|寒|さむ|忙|いそが|疲|つか|腹|はら|おなか|笑|わら)",
    r"(笑|わら)い(死|じ)に|(笑|わら)(い|っ)?(死|し)ぬ",
    r"(尊|とうと|かわい|可愛|かっこよ|格好よ).{0,4}(死|し)ぬ",
    r"(恥|は)ずかし(くて|すぎて).{0,4}(死|し|消|き)え?",
    r"(殺|ころ)す(気|き)か",
    r"(ゲーム|げーむ|キャラ|きゃら).{0,10}(死|し)ん",
    r"(忙しさ|いそがしさ|仕事|しごと|会社|かいしゃ|宿題|しゅくだい|残業|ざんぎょう|課題|締め?切り|ノルマ|暑さ|寒さ)に(殺|ころ)され",
    r"(殺|ころ)される(レベル|れべる)",
    r"(死|し)にたい(くらい|ぐらい|ほど)",
    r"(消|き)え(たい|てしまいたい|てなくなりたい)(くらい|ぐらい|ほど)",
    r"(飛|と)び(込|こ)み(営業|えいぎょう|出産|しゅっさん|受診|診療|訪問|で|の(仕事|営業|客))",
    r"(予約|よやく)なしの(飛|と)び(込|こ)み|(飛|と)び(込|こ)む(みたい|ような)",
    r"(滑り台|すべり台|すべりだい|遊具|ゆうぐ|階段|かいだん|ベッド|べっど|ソファ|そふぁ|塀|へい)の?(てっぺん|上|うえ)?から(飛|と)び(降|お)り",
    r"(借金|しゃっきん|返済|へんさい|ローン|ろーん|支払|しはらい|痛|いた)[^。もう]{0,10}(楽|らく)になりたい",
    # a measure of pain or tiredness, not a wish: 死んだほうがましってくらい腰が痛い
    r"(死|し)んだ(ほう|方)がまし(だ|な)?(って|と(思|おも)う)?(くらい|ぐらい|ほど)",
    # a pet that has not come home
    r"(猫|ねこ|犬|いぬ|インコ|いんこ|うさぎ|ハムスター|はむすたー|ペット|ぺっと)(ちゃん)?(が|も)[^。]{0,12}(帰|かえ)って(こ|き)",
    # someone at work or school "will kill me" over a deadline or a mistake
    r"(上司|じょうし|先輩|せんぱい|部長|ぶちょう|課長|かちょう|店長|てんちょう|社長|しゃちょう|先生|せんせい|監督|かんとく|コーチ|こーち)に((殺|ころ)され(る|そう)|[^。]{0,24}(殺|ころ)すぞ)",
]

# ------------------------------------------------------------------ English
_EN_CRISIS = [
    r"\b(kill|killing|hurt|hurting|harm|harming|cut|cutting|cuts)"
    r" (my ?self|her ?self|him ?self|them ?selves)\b",
    r"\bcuts? (her|his|their|my) (arms?|wrists?)\b",
    r"\b(don'?t|dont) see the point\b|\bpoint (of|in) (going on|living)\b",
    r"\b(didn'?t|not|never|don'?t) wake up\b|\bnot waking up\b",
    r"\b(want|wanna|going) to disappear\b|\bdisappear slowly\b",
    r"\b(wrote|written|writing) (my )?(goodbye|farewell)\b|\bwrote (my will|letters (for|to))\b|\b(know|knew) (that )?i tried\b|\bgoodbye (message|text|letter|note)s?\b|^goodbye\b",
    r"\b(isn'?t|not|stopped) (moving|breathing|responding)\b|\bcan'?t get up\b",
    r"\b(took|ate|swallowed) (a lot of|a whole|an entire|the whole)\b",
    r"\b(took|ate|swallowed) (all|a lot|a bunch|the whole|too many)\b.{0,25}\b(antidepressants|sleeping pills|painkillers|medication)\b",
    r"\b(hitting|beating|choking|dragging|dragged) (a|the) (woman|man|girl|boy|child|kid)\b",
    r"\b(going|walk|walking|go) (in)?to the (sea|river|ocean)\b",
    r"\bif (he|she|they)('s| is| are) breathing\b|\b(is having|having|started having) a seizure\b|\bsorry for everything\b",
    r"\b(doesn'?t|does not|didn'?t) want to (live|be alive|be here)\b|\btired of fighting\b(?! (with|about|over)\b)",
    r"\b(he|she|they)('ll| will) kill\b",
    r"\b(saving|collecting|stockpiling) (up )?(my )?(pills|meds|tablets)\b",
    r"\bon the roof\b|\b(on|at) (the|a) bridge\b|\bhow easy it would be\b",
    r"\bpainless way\b|\bhow (to|do i) (die|end it)\b",
    r"\b(bought|got|have|has|keeps?) (a |the )?rope\b",
    r"\b(child|children|kids?|girl|boy|bab(y|ies)|toddlers?)\b.{0,60}\balone\b.{0,40}\b(since|for (days|two days|\d+ days)|not come back|locked|no food)\b",
    r"\b(child|kid|girl|boy|baby|toddler)\b.{0,40}\balone\b",
    r"\b(dementia|alzheimer'?s)\b.{0,80}\b(walked out|wandered (off|out)|went (out|missing)|left the house|is missing|missing since|haven'?t found|can'?t find|hasn'?t (come back|returned)|(still )?not back)\b",
    r"\b(crying|screaming) for (two|three|four|several|many|\d+) days\b",
    r"\bbleeding (much|a lot)\b|\b(is|are|keeps?|still) bleeding\b(?! (money|cash|customers))|\bbleeding (a lot|badly|heavily|so much)\b|\bblood (everywhere|won'?t stop|is not stopping)\b",
    r"\b(decided|know) (that )?(this|today|tonight) is my last\b|\btoo tired to (keep going|go on|keep living|live)\b",
    r"\bif i die\b|\binsurance money\b|\b(see you|meet you|waiting) on the other side\b",
    r"\b(going to|gonna|will|want to) (do it|end it)\b",
    r"\b(choked|strangled) me\b|\b(call|calling|need|get|send) (an |the )?ambulance\b",
    r"\b(has|holding|grabbed|pulled out|got|walking around with|waving) (a |the )?(kitchen )?knife\b",
    r"\blife (isn'?t|is not|ain'?t) worth\b|\bnot worth living\b",
    r"\b(break|breaking) in(to)?\b|\b(banging|pounding|kicking|hammering) (on )?(my|the|our) (door|window)\b",
    r"\b(says|said|threaten\w*) (he|she|they)('ll| will| would| is going to) (break|kick) (it|the door|down)\b",
    r"\blocked\b.{0,30}\b(in|inside|up)\b.{0,60}\b(no food|without food|(give|feed)s? (her|him|them|me)|giving (her|him|them|me) food)\b",
    r"\b(hitting|beating|choking|kicking) (my|her|him|the)\b.{0,30}\bnow\b",
    r"\bsuicid",
    r"\bend (my|it all|everything|my own)\b|\bending (my|it all|everything)\b",
    r"\b(i'?ll|i will) be gone (by|before|after)\b|\bmade (my|the) decision\b.{0,40}\bgone\b",
    r"\btook (like |about |maybe )?\d+ (of )?(my )?(pills|tablets|antidepressants|sleeping pills|meds)\b",
    r"\b(baby|child|kid|son|daughter|he|she|mom|dad|mother|father)\b.{0,20}\b(choking|can'?t breathe|cannot breathe)\b|\bturning (blue|purple)\b",
    r"\b(he|she|they|baby|child|kid|son|daughter|someone|somebody|man|woman|boy|girl)('s| is| are| was)? (drowning|drowned|nearly drowned)\b",
    r"\bgas\b.{0,60}\b(not (opening|answering|responding)|unconscious)\b",
    r"\b(building|house|apartment|apato|room|kitchen|place|flat) is on fire\b|\bsmoke (is )?(coming|pouring) (out|from|under)\b",
    r"\bheat ?stroke\b.{0,80}\b(confused|won'?t drink|not drinking|unconscious|very hot|not sweating)\b",
    r"\b(autism|autistic|disabled|dementia|alzheimer'?s)\b.{0,80}\b(nobody can find|can'?t find|missing|ran (out|away)|wandered)\b",
    r"\bend(ing)? it\b[^.!?]{0,20}\b(tonight|today|now|soon|for good)\b",
    r"\btake my (own )?life\b",
    r"\b(want|wanna|wanted|going|gonna) (to )?die\b",
    r"\bcutting (my|her|his) (arms?|wrists?|legs?|skin)\b",
    r"\bwish i (was|were) dead\b|\bwish i (had )?never (been born|woke up)\b",
    r"\bbetter off (dead|without me)\b",
    r"\b(no|not any) (reason|point) (to|in) (live|living|going on|being alive)\b",
    r"\bdon'?t (want|wanna) (to )?(live|be alive|be here|wake up|exist)\b(?! (in|here|there|at|near|with)\b)",
    r"\bcan'?t (go on|keep going|do this anymore|take it anymore)\b"
    r"(?! (the|a|an|this|that|my|our|holiday|vacation|trips?|with|about|because|bc)\b)",
    r"\bself[- ]?harm",
    r"\boverdos",
    r"\btook (all|a lot|a bunch|the whole|too many)\b.{0,20}\b(pills|tablets|medicine|meds)\b",
    r"\b(jump|jumping) (off|from|in front)\b",
    r"\bhang(ing)? myself\b|\bnoose\b",
    r"\b(suicide|goodbye) (note|letter)\b",
    r"\bdisappear (forever|for good)\b|\bnot (be )?(here|around) anymore\b",
    r"\b(hitting|beating|choking|strangling|kicking|hurting) me (right )?now\b",
    r"\b(he|she|they)('s| is| are) (hitting|beating|choking|strangling|kicking)\b",
    r"\b(going to|gonna|will|wants to|threaten\w* to) kill (me|us|my|the)\b",
    r"\b(has|had|with|holding|grabbed|pulled) a (knife|gun|weapon)\b",
    r"\b(not breathing|unconscious|won'?t wake up)\b",
    r"\b(he|she|mom|dad|mother|father|grandma|grandpa|neighbou?r|friend|husband|wife|son|daughter|someone|man|woman)\b.{0,20}\bcollapsed\b",
    r"\b(left|alone) (home )?alone for (days|two days|\d+ days)\b",
    r"\bhelp me (now|please|right now)\b.{0,30}\b(scared|afraid|danger|hurt)\b",
    r"\bwon'?t be needing\b|\bwon'?t be a (problem|burden) (for|to) anyone\b|\bwhere i'?m going\b",
    r"\bno loose ends\b|\bchecking out for good\b|\bdon'?t come looking\b|\bdon'?t plan on coming (down|back)\b",
    r"\b(i'?m|i am|he'?s|he is|she'?s|she is) (a|such a) burden\b",
    r"\btired of being alive\b|\bnot existing\b|\bvanish(ed)? for real\b",
    r"\benough (pills|tablets)\b|\bthere'?s enough now\b|\b(pills|tablets)\b.{0,40}\b(counted|in a jar|collecting)\b",
    r"\bcollecting (my |her |his )?\w* ?(sleeping )?(pills|tablets)\b|\bgo be with (him|her|them)\b",
    r"\burge to cut\b|\bblades? (are|is) right here\b|\bburn(ed|t) my (arm|skin|wrist|leg)\b|\bcut deeper\b",
    r"\b(holding|with|has) a (box cutter|broken bottle|blade|razor)\b|\bbleeding from (the|her|his|my)\b",
    r"\bfoam at (her|his|the) mouth\b|\bsmell gas\b|\b(he|she)('ll| will) jump\b",
    r"\brailing is (really |very )?low\b|\b(far|very) end of the platform\b|\bedge of the platform\b|\bat the harbou?r\b",
    r"\bhow high a fall\b|\bnot turning the wheel\b|\bpush(ed)? me down the stairs\b|\bpillow over (her|his) face\b",
    r"\bgoodbye everyone\b",
    r"\btaking (him|her|them) with me\b|\bending it for (both|all|us)\b",
    r"\b(scared|afraid|worried) (i'?ll|i will|i might|i'?m going to)\b.{0,30}\b(hurt|throw|throwing|shake|shaking|hit|smother)",
    r"\bcharcoal\b(?!.{0,20}\b(bbq|barbecue|grill))",
]

_EN_HYPERBOLE = [
    r"\b(?!he\b|she\b|they\b|someone\b|somebody\b|husband\b|wife\b|partner\b|ex\b)\w+"
    r" (is |are |'s |'re )?killing me\b",
    r"\b(gonna|going to) kill me\b.{0,40}(haha|lol|lmao|😂|🤣|kkk)",
    r"\bkill me now\b.{0,60}(lol|haha|lmao|😂|🤣)",
    r"\bdying (to|for|of laughter|laughing)\b",
    r"\b(almost|nearly|could have|could've|gonna|going to) die[ds]? (of|from) (laugh|embarrass|boredom|shame)\w*",
    r"\bdied (laughing|of laughter|of embarrassment)\b",
    r"\bjump(ing|ed)? (off|from) (the |a )?(swings?|slide|bed|couch|sofa|wall|bike|trampoline|steps?|stairs|diving board)\b",
    r"\bdead (tired|on my feet)\b|\bi'?m dead\b.{0,10}(lol|haha|😂)",
    r"\b(wanna|gonna|going to|wanted to) die\b.{0,40}(lol|haha|lmao|😂|🤣|😅|kidding|jk|on the spot)",
    r"\b(boss|mom|mum|wife|husband|teacher|coach) (is )?(gonna|going to|will) kill me\b",
]

# ------------------------------------------------------------------ Portuguese (accents stripped)
_PT_CRISIS = [
    r"\b(quero|queria|vontade de|desejo|penso em|pensando em|to pensando em|tenho vontade de) morrer\b",
    r"\bme matar\b|\bme mato\b",
    r"\bsuicid",
    r"\btirar (a )?(minha )?(propria )?vida\b",
    r"\bacabar com (a )?(minha )?vida\b|\bacabar com tudo\b|\bdar um fim\b",
    r"\bnao (aguento|quero|consigo) mais viver\b(?! (longe|n[ea]ss[ea]|n[ea]st[ea]|n[oa]|em|aqui|ali|la|de aluguel)\b)"
    r"|\bnao quero mais (acordar|existir|estar aqui)\b",
    r"\bnao (tem|ha|vejo) (mais )?(sentido|motivo|razao) (em|pra|para) viver\b|\bviver nao tem (mais )?sentido\b",
    r"\bmelhor (eu )?(estar )?(mort[oa])\b|\bmelhor sem mim\b",
    r"\bsumir (pra|para) sempre\b|\bdesaparecer (pra|para) sempre\b",
    r"\b(me cortar|me cortando|me corto|me machucar|me machucando)\b|\bautomutil",
    r"\btomei (todos|todas|muitos|muitas|um monte|varios|a cartela)\b.{0,25}\b(remedio|comprimido|pilula)",
    r"\boverdose\b",
    r"\b(pular|me jogar|me atirar) (da|de|do|na frente)\b",
    r"\bmorrer enforcad|\bdoi (muito )?morrer\b|\bcomo (e|seria) morrer\b",
    r"\bme enforcar\b",
    r"\bcarta de despedida\b",
    r"\b(ta|esta|estao|tao) me (batendo|espancando|enforcando|agredindo|esganando|estrangulando)\b",
    r"\b(vai|vao|quer|ameac\w*( de)?) me matar\b|\bvai matar (a gente|nos|meus filhos|meu filho|minha filha)\b",
    r"\b(com|pegou|segurando) (uma )?arma\b",
    r"\b(nao esta|nao ta|parou de) respirar\b|\b(desmaiou|desmaiada|desmaiado|inconsciente)\b",
    r"\bsozinh[oa]s? (em casa )?(ha|faz|por) (dias|\d+ dias)\b",
    r"\b(deixou|largou|abandonou) (as |os |a |o )?(criancas|crianca|filhos|filhas|filh[oa]|bebe|menin[oa]s?)\b.{0,30}\bsozinh",
    r"\b(demencia|alzheimer)\b.{0,80}\b(sumiu|desapareceu|nao voltou|ninguem (acha|achou)|nao (achamos|encontramos))\b",
    r"\bacabei de tomar\b.{0,40}\b(cartela|caixa|remedios?|comprimidos)\b|\bdepois que eu for\b",
    r"\bengasgad[oa]\b|\bnao consegue respirar\b|\bafogando\b|\bse afogou\b",
    r"\bincendio\b.{0,60}\b(dentro|preso|presa|fumaca)\b|\bfumaca no\b|\bgas\b.{0,60}\bnao (abre|responde|atende)\b",
    r"\b(pele|corpo) (ta |esta )?muito quente\b.{0,40}\b(confus|parou de suar|desmai)|\bparou de suar\b",
    r"\b(autismo|autista|deficiencia|demencia|alzheimer)\b.{0,80}\b(sumiu|desapareceu|ninguem acha|nao (achamos|encontramos)|procuramos\b.{0,30}\bnada)\b",
    r"\b(me|nos) pegar(em)? (hoje|essa noite|esta noite)\b",
    r"\bsozinh[oa]s?\b.{0,80}\b(sem comida|nao tem comida)\b|\b(caiu|desmaiou)\b.{0,30}\bnao responde\b",
    r"\b(saindo|sangrando) muito\b|\bsangue nao para\b|\bpres[oa] na (prensa|maquina)\b",
    r"\bnao (quer|quero) ser (um )?peso\b|\bcansei de viver\b|\b(essa|esta|hoje a) noite (eu )?(termino|acabo) com (isso|tudo)\b",
    r"\bsocorro\b.{0,80}\b(agora|ta me|esta me|vai me|sangr|bat|machuc|mat|faca|arma|respir|chutando)|\bgritando socorro\b",
    r"\bnao (respira|ta respirando|esta respirando)\b|\bnumero da emergencia\b",
    r"\b(penso|pensar|pensando|pensei) em morrer\b|\bse eu morrer\b",
    r"\bseguro de vida\b.{0,40}\b(se eu morrer|quando eu morrer|resolve|quita|paga (tudo|as dividas))",
    r"\bescrevi (a |as )?cartas?\b|\bultima mensagem\b",
    r"\bninguem (vai|ia|iria) (nem )?(sentir|notar|perceber)",
    r"\bmachucar (a gente|nos|meus filhos|meu filho|minha filha|o bebe)\b",
    r"\b(pensando em|quero|queria|vontade de) (sumir|desaparecer)\b",
    r"\bcortei (o|os|meu|meus) (braco|bracos|pulso|pulsos)\b",
    r"\b(comprimidos|remedios) na mao\b|\b(juntando|guardando|guardo) (os )?(remedio|comprimido)(?!s? d[oa]s? )",
    r"\btomar (todos|todas|muitos|muitas)\b.{0,20}(remedio|comprimido)",
    r"\b(to|estou|sentad[oa]|parad[oa]|em pe) (na|em cima da) ponte\b|\btrilho\b|\balto do predio\b|\b(no|do) telhado\b",
    r"\bse mata\b|\bme mata (junto|tambem)\b|\bme trancou\b",
    r"\b(ele|ela) (disse que )?(me|nos) mata\b|\bnao amanhecer viv[oa]\b",  # "se eu contar pra alguem ele me mata"
    r"\bpesquisei como\b|\bfazer (uma )?besteira\b|\bfazer (alguma coisa|algo) (comigo|contra mim|de ruim|com (o |a |os |as )?(meu |minha |meus |minhas )?(bebe|nenem|filh\w*|crianc\w*))\b",
    r"\b(chamar|chamo|chama|chamei|chamem|ligar pra|ligo pra|preciso de|manda|mandem) (uma |a )?ambulancia\b|\b(como (fala|chama|ligo|peco)|numero d[ae]) ambulancia\b|\bse debatendo\b|\bconvuls|\b(caiu|desmaiou)\b.{0,30}\bnao levanta\b|\brespirando (estranho|mal|com dificuldade|ofegante)\b",
    r"\bnao (chora|reage|acorda)\b|\bnao acordar\b",
    r"\b(com|segurando|pegou|empunhando) (uma |a )?faca\b|\bfaca na mao\b",
    r"\b(sem|nao tenho mais) vontade de viver\b|\bacabar com isso\b",
    r"\bnao responde (faz|ha) \d+ dias\b|\bcaid[oa]\b.{0,30}\bnao responde\b|\btentando entrar\b",
    r"\btrancou (meu|minha|o|a) (filh|crianca|bebe)|\bentrou pela janela\b|\bmexe (nela|nele|em mim|comigo)\b",
    r"\btomei (uns|umas|\d+|mais de)\b.{0,20}(remedio|comprimido)|\b(remedio|comprimidos?) demais\b",
    r"\bdeixou uma carta\b|\b(parar|parasse|deixar) de existir\b|\b(mais facil|melhor) morrer\b",
    r"\bmanda(r)? alguem\b|\bbatendo (no|na|em)\b.{0,25}\bagora\b|\bsozinh[oa] no carro\b",
    r"\b(sentido|razao|motivo) (em|pra|para) continuar\b|\bcontinuar vivendo\b|\bvivi(eu)? o suficiente\b",
    r"\b(sou|ser) um (peso|estorvo)\b|\bdesculpa por (tudo|ser)\b|\bdesculpa,? (mae|pai)\b",
    r"\b(segurando|com) (a |uma )?(lamina|gilete|estilete)\b|\b(lamina|gilete|estilete) na mao\b",
    r"\b(corto|cortei|cortando) (mais fundo|(o |os |meu |meus |a )?(braco|bracos|pulso|pulsos|coxa|perna))",
    r"\bme queim(ei|o|ando)\b|\bdormir? (pra|para) sempre\b|\bnunca mais acord|\bnao acordo\b",
    r"\bcarvao\b(?!.{0,30}churrasc)|\bcorda\b.{0,40}\b(cano|viga|escondid)",
    r"\bbeirada\b|\bme despedi\b|\bultim[oa] (conversa|lugar que escrevo)\b",
    r"\bshinitai\b|\b(forcando|arrombando) (a )?(porta|macaneta|fechadura|janela)\b",
    r"\b(espancando|estrangulando|esganando)\b|\b(ta|esta|tou|to) sangrando\b|\bnao para de sangrar\b",
    r"\bme tranca\b(?! (pra|para) fora)",
    r"\bnao (consegue|conseguiu|consigo) (se )?levantar\b|\bjog(a|ar|o) o carro\b",
    r"\b(remedinhos?|remedios?|comprimidos?) a mais\b|\b(bebendo|bebi)\b.{0,30}\b(remedios|comprimidos)\b",
]

_PT_HYPERBOLE = [
    r"\bmorr(endo|i|eu|er|endo) de (rir|saudade|fome|sono|calor|frio|vergonha|medo|cansaco|inveja|tedio|susto)",
    r"\bmort[oa] de (cansaco|cansada|cansado|sono|fome|rir|vergonha)",
    r"\b(calor|trabalho|servico|chefe|dor|pe|costas|fila|transito)\b.{0,15}\bme matando\b",
    r"\bquase morri\b.{0,15}\b(rir|vergonha|susto|kkk)",
    r"\bme mata(ndo)?\b.{0,10}(kkk|rs|haha)",
    r"\bpronto[- ]socorro\b",
    r"\b(vai|vao) me matar\b.{0,60}(kkk|rs|haha)",
    r"\bvou morrer de\b",
    # waking someone else: "choro no banho pra nao acordar ninguem"
    r"\bnao acordar (ninguem|o bebe|a bebe|as criancas|os meninos|os vizinhos|meu|minha|ele|ela)\b",
    # someone at work or school "will kill me" over a mistake
    r"\b(chefe|gerente|supervisor|supervisora|lider|hancho|patrao|patroa|professor|professora|sensei)"
    r" (vai|vao|ia) me matar\b",
    r"\bninguem (vai|ia|iria) (nem )?(sentir|notar|perceber) (a )?(minha )?falta (se eu (faltar|faltasse|nao for)|na|no)\b",
]


def prepare(text: str, *, normalized: bool = False) -> str:
    """The form the lexicon reads: NFKC, lower case, no accents, katakana as hiragana."""
    return lexical_form(text if normalized else normalize(text))


def _branches(pattern: str) -> list[str]:
    """Split a pattern at its top-level '|'."""
    parts, depth, current = [], 0, []
    escaped = False
    for ch in pattern:
        if escaped:
            current.append(ch)
            escaped = False
            continue
        if ch == "\\":
            escaped = True
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts


def _prefixes(items: Any, width: int = 2) -> tuple[set[str], bool]:
    """Strings every match of the parsed pattern `items` starts with (up to `width` chars),
    and whether they are whole (the pattern went on being literal to their end)."""
    current = {""}
    for op, av in items:
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            continue  # zero-width
        options: set[str] | None
        whole = True
        if op is _c.LITERAL:
            options = {chr(av)}
        elif op is _c.IN:
            options = set()
            for kind, value in av:
                if kind is _c.LITERAL:
                    options.add(chr(value))
                elif kind is _c.RANGE and value[1] - value[0] < 32:
                    options.update(chr(c) for c in range(value[0], value[1] + 1))
                else:
                    options = None
                    break
        elif op is _c.SUBPATTERN:
            options, whole = _prefixes(av[-1], width)
        elif op is _c.BRANCH:
            options, whole = set(), True
            for alternative in av[1]:
                found, complete = _prefixes(alternative, width)
                options |= found
                whole = whole and complete
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1:
            options, _ = _prefixes(av[2], width)
            whole = False
        else:
            options = None
        if not options or "" in options:
            return current, False
        current = {(p + o)[:width] for p in current for o in options}
        if not whole or all(len(p) >= width for p in current):
            return current, False
    return current, True


@dataclass(frozen=True, slots=True)
class PatternSet:
    """Regexes found through the literal text every match starts with (up to four
    characters): one walk over the text finds where each pattern could start, and it is tried
    only there (re's fixed cost per pattern and per search dominates otherwise). Japanese
    patterns may start anywhere; Latin ones at the start of a word."""

    patterns: tuple[re.Pattern[str], ...]
    starts: Trie  # literal start -> pattern number
    always: tuple[int, ...]  # patterns without a literal start: searched everywhere
    word_start: bool

    @classmethod
    def build(cls, patterns: list[str], *, word_start: bool) -> PatternSet:
        """Compile one regex per top-level branch (katakana folded like the text)."""
        compiled: list[re.Pattern[str]] = []
        starts: list[tuple[str, int]] = []
        always: list[int] = []
        for pattern in patterns:
            for branch in _branches(pattern.translate(HIRAGANA_SHIFT)):
                number = len(compiled)
                compiled.append(re.compile(branch.removeprefix("\\b")))
                prefixes, _ = _prefixes(_parser.parse(compiled[-1].pattern), _START_WIDTH)
                if not prefixes or "" in prefixes:
                    always.append(number)
                else:
                    starts += [(prefix, number) for prefix in prefixes]
        return cls(tuple(compiled), Trie(starts), tuple(always), word_start)

    def places(self, text: str) -> dict[int, list[int]]:
        """Pattern number -> the positions in `text` where it could match, in order (blanking
        spans later only removes places)."""
        places: dict[int, list[int]] = {number: [] for number in self.always}
        for position, numbers in self.starts.scan(text, word_start=self.word_start):
            for number in numbers:
                at = places.setdefault(number, [])
                if not at or at[-1] != position:
                    at.append(position)
        return places

    def _matches(self, text: str, number: int, positions: list[int]) -> Iterator[re.Match[str]]:
        pattern = self.patterns[number]
        if not positions:  # no literal start: search
            found = _search(pattern, text, self.word_start)
            while found:
                yield found
                found = _search(pattern, text, self.word_start, found.start() + 1)
            return
        for position in positions:
            found = pattern.match(text, position)
            if found and (not self.word_start or _at_word_start(text, position)):
                yield found

    def first(
        self,
        text: str,
        places: dict[int, list[int]] | None = None,
        unless: Callable[[str, re.Match[str]], bool] | None = None,
    ) -> re.Match[str] | None:
        """The first match of any pattern, in their written order (`places`: from `places`,
        if already known), skipping matches for which `unless(text, match)` is true."""
        places = self.places(text) if places is None else places
        for number in sorted(places):
            for found in self._matches(text, number, places[number]):
                if unless is None or not unless(text, found):
                    return found
        return None

    def blank(self, text: str, places: dict[int, list[int]] | None = None) -> str:
        """Text with every match replaced by spaces."""
        places = self.places(text) if places is None else places
        for number in sorted(places):
            pattern, positions = self.patterns[number], places[number]
            found = None if positions else _search(pattern, text, self.word_start)
            while found:  # no literal start: search again after each blank
                text = text[: found.start()] + " " * len(found.group(0)) + text[found.end() :]
                found = _search(pattern, text, self.word_start)
            for position in positions:  # read the text as blanked so far
                found = pattern.match(text, position)
                if found and (not self.word_start or _at_word_start(text, position)):
                    text = text[:position] + " " * len(found.group(0)) + text[found.end() :]
        return text


_START_WIDTH = 4


def _at_word_start(text: str, index: int) -> bool:
    return index == 0 or not text[index - 1].isalnum()


def _search(
    pattern: re.Pattern[str], text: str, word_start: bool, position: int = 0
) -> re.Match[str] | None:
    found = pattern.search(text, position)
    while found and word_start and not _at_word_start(text, found.start()):
        found = pattern.search(text, found.start() + 1)
    return found


_SENTENCE_END = re.compile(r"[。!?！？\n]|(?<!\.)\.(?!\.)")  # an ellipsis goes on


def _sentence(text: str, match: re.Match[str]) -> str:
    """The sentence around a match."""
    start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, match.start())), default=0)
    after = _SENTENCE_END.search(text, match.end())
    return text[start : after.start() if after else len(text)]


def _discounted(text: str, match: re.Match[str]) -> bool:
    """True when the sentence around a crisis expression says it is denied, past and resolved,
    about a game or the news, or a joke: "死にたいとかではない", "years ago", "kkk"; or when a
    farewell comes from someone moving away ("goodbye Japan, flying home Sunday")."""
    if _DISCOUNT.search(_sentence(text, match)) is not None:
        return True
    return _FAREWELL.search(match.group(0)) is not None and _MOVING.search(text) is not None


@dataclass(frozen=True, slots=True)
class CrisisLexicon:
    """Crisis and hyperbole patterns: Latin-script (en, pt) and Japanese."""

    latin: PatternSet
    latin_hyperbole: PatternSet
    japanese: PatternSet
    japanese_hyperbole: PatternSet

    def match(self, text: str, *, normalized: bool = False) -> str | None:
        """The crisis expression found in `text`, or None; hyperbole never counts."""
        prepared = prepare(text, normalized=normalized)
        if _LATIN.search(prepared):
            cleaned = self.latin_hyperbole.blank(prepared)
            found = self.latin.first(cleaned, self.latin.places(prepared), unless=_discounted)
            if found:
                return found.group(0)
        if not _JAPANESE.search(prepared) and is_romaji(prepared):
            # Japanese in romaji ("kyou de owari ni shimasu"): read as kana, without the spaces
            # between words that Japanese does not write.
            prepared = romaji_text_to_hiragana(prepared).replace(" ", "")
        if _JAPANESE.search(prepared):
            cleaned = self.japanese_hyperbole.blank(prepared)
            found = self.japanese.first(cleaned, self.japanese.places(prepared), unless=_discounted)
            if found:
                return found.group(0)
        return None


# Context that takes the weight off a crisis expression in the same sentence.
_DISCOUNT_PATTERNS = [
    # denied
    r"\bnot (suicidal|thinking (about|of) (hurting|killing|ending))",
    r"\b(don'?t|do not) want to (hurt|kill|harm) myself\b|\bnot going to (hurt|kill|harm) myself\b",
    r"\b(won'?t|will not|wouldn'?t|would never) (hurt|kill|harm) (herself|himself|themselves|myself)\b",
    r"\bnao (penso|pensando|to pensando|estou pensando) em (suicid|me matar|me machucar|morrer|fazer besteira)",
    r"\b(nao|nem) (quero|vou) me (matar|machucar)\b|\bnao vou fazer (uma )?besteira\b",
    r"(とか|わけ)(では|じゃ)(ない|なく)|ではないけど|じゃないけど|つもりはない",
    r"(口ぐせ|口癖|くちぐせ|口走|くちばし|売り言葉|言ってるけど|いってるけど|ネタ|ねた|言い過ぎ|いいすぎ|大げさ|おおげさ|冗談(で|だ|なの|っぽ|ぽ)|じょうだん(で|だ|なの|っぽ|ぽ)|ふざけて)",
    r"(恥ずかし|はずかし|誤爆|ごばく|歌詞|引用)",
    r"(とは|とまでは|とかは)(思わ|おもわ|思って(い)?|おもって(い)?|言って(い)?|いって(い)?|考えて(い)?|かんがえて(い)?)(ない|ません)",
    # past and resolved
    r"\b(used to|years ago|months ago|when i was|as a teenager|back then|got treatment|survived)\b",
    r"\b(last (week|month|year)|fine now|doing (well|better))\b",
    r"\b((was|is|she'?s|he'?s) fine (now|right after|again)|for a few seconds|turned out)\b"
    r"|\b((he|she)'?s|is) (home|back home) (already|now)\b|\balready home\b",
    r"\b(back )?in (19|20)\d\d\b|\b(on meds|in therapy|got help|by accident|false alarm|in recovery|recovering)\b",
    r"\bin (january|february|march|april|june|july|august|september|october|november|december)\b"
    r"|\blast (winter|summer|spring|autumn|fall)\b|\b(just|only) (deeply )?(asleep|sleeping)\b",
    r"\b(anos atras|mes passado|semana passada|ano passado|antigamente|quando eu era|sobreviveu)\b",
    r"\b(ja passou|ta bem agora|esta bem agora|hoje to bem|fiz tratamento|ja voltou|ja acordou|ficou bem|eu ajudei)\b",
    r"\b(uns segundos|voltou na hora|ja (ta|esta) em casa|era so|acordou rapido)\b",
    r"\b(faz (muito tempo|muitos anos|\w+ anos)|ha (uns |umas )?(muitos|\w+) anos|hoje a vida ta boa)\b",
    r"\b(quando eu tinha \d+ anos|hoje tenho \d+)\b|\bse recuperando\b",
    r"\bem (janeiro|fevereiro|marco|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro)\b",
    r"(昔|むかし|去年|きょねん|先月|せんげつ|以前|ことがあって|ことがあ(る|り)|時期(が|も)あ(った|りました)|年前|年まえ|若いころ|若い頃|(の|な)(とき|時|頃|ころ)に?)",
    r"(今は|いまは)(もう)?(して(い)?ない|落ち着|おちつ|治療|ちりょう)",
    r"(今は|いまは)[^。]{0,8}(落ち着|おちつ|通院|つういん|元気|げんき)",
    r"(無事|ぶじ)(でした|だった|です)|すぐ(取|と)れ|もう(して|やって)(い)?ない",  # it ended well
    r"(自殺|じさつ)した(?![いくがかそ])",  # someone's death, told: 同じ部署の人が自殺した
    r"(何年|なんねん|何か月|何ヶ月|なんかげつ)も(やって|して)(い)?ない|の(跡|あと|傷跡|きずあと)が",
    r"(自殺|じさつ)(だった|で(亡|な)くな|した(らしい|そう|んです|人|ひと)|された)",  # a death mourned
    # about the news, a story or a game
    r"\b(news|documentary|movie|film|game|anime|celebrity|character)\b",
    r"\b(took (his|her|their) own life|killed (himself|herself|themselves)|died by suicide|committed suicide)\b",
    r"\b(jornal|se suicidou|tirou a propria vida)\b",
    r"\b(noticia|documentario|filme|novela|personagem|famos[oa])\b|\b(no|do|num|um|meu|de) (jogo|videogame)\b",  # "jogando" also means throwing
    r"(?<!not )(?<!not a )(?<!nao e )(?<!nao eh )(?<!sem )\bdrama\b",  # "nao e drama": it is meant
    r"\b(prevencao|tcc|palestra|pesquisa|trabalho da (escola|faculdade)|faculdade|disque|primeiros socorros|cartaz)\b",
    r"\bse um dia\b|\bcaso um dia\b|\bif (one day|someday) i\b|\b(just )?in general\b",  # asked in general
    r"\b(policia|police) (ja )?(achou|encontrou|found|brought)\b|(警察|けいさつ)に(保護|ほご)され",  # found
    r"\b(prevention|hotline number|school project|research|presentation|awareness|first aid|helplines for|list of)\b",
    r"\b(notary|property|inheritance|lawyer|estate)\b",
    r"(ニュース|報道|ドラマ|映画|アニメ|ゲーム|人狼|ラスボス|キャラ|有名人|漫画|マンガ|小説|ドキュメンタリー|番組|プール|水泳|ごっこ)",
    r"(夢|ゆめ)を?(見|み)た",  # a dream told
    r"(授業|じゅぎょう|課題|かだい|ポスター|レポート|研修|けんしゅう|講演|こうえん)",
    # laughing
    r"(kkk|rsrs|\bhaha|\blol\b|\blmao\b|😂|🤣|笑|ｗｗ|\bww|\bomg\b|\bembarrass)",
    r"(?<=[\u3040-\u30ff\u4e00-\u9fff〜~!?])w+(?![a-z])",  # 締め切り明日なのにw
]
_DISCOUNT = re.compile("|".join(f"(?:{p})" for p in _DISCOUNT_PATTERNS).translate(HIRAGANA_SHIFT))

# A farewell is weighed against the whole message: the move is often in the next sentence.
_FAREWELL = re.compile(
    r"お(世話|せわ)に|ありがとう|さよ(う)?なら|(今日|きょう)で(最後|さいご)|goodbye|ultima mensagem|me despedi".translate(
        HIRAGANA_SHIFT
    )
)
_MOVING = re.compile(
    (
        r"帰国|(国|くに)に(帰|かえ)|(帰|かえ)ることに|引っ越|ひっこし|転勤|転出|移住"
        r"|\bmov(e|ing) (to|back|home|out)\b|\bflying home\b|\bgoing (back )?home\b"
        r"|\bcontract (finished|ended|is over)\b|\bvolt(ando|o|amos|ar) (pro|pra o|para o) brasil\b|\bmudando\b"
        r"|\bmudanca\b|\bvou embora (pro|para o) brasil\b"
    ).translate(HIRAGANA_SHIFT)
)
_LATIN = re.compile(r"[a-z]{2}")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")

LEXICON = CrisisLexicon(
    latin=PatternSet.build(_EN_CRISIS + _PT_CRISIS, word_start=True),
    latin_hyperbole=PatternSet.build(_EN_HYPERBOLE + _PT_HYPERBOLE, word_start=True),
    japanese=PatternSet.build(_JA_CRISIS, word_start=False),
    japanese_hyperbole=PatternSet.build(_JA_HYPERBOLE, word_start=False),
)


def moving_farewell(text: str, *, normalized: bool = False) -> bool:
    """True when the message says goodbye and also says its writer is moving away ("お世話に
    なりました、来月引っ越します", "ultima mensagem, volto pro Brasil"). Such a farewell does
    not fire the lexicon, and the model's crisis score yields to it too: the model has learned
    farewells from veiled crisis messages and cannot tell the two apart by itself."""
    prepared = prepare(text, normalized=normalized)
    return _FAREWELL.search(prepared) is not None and _MOVING.search(prepared) is not None


def crisis_expression(text: str, *, normalized: bool = False) -> str | None:
    """The crisis expression in `text` (any language), or None. Pass `normalized=True` when
    `text` already went through `classifier.text.normalize`."""
    return LEXICON.match(text, normalized=normalized)
