"""Guess the charset of names that are not UTF-8, from the bytes of a listing.

Listings are short and made of names, which general-purpose detectors read badly, so
this is a small scorer written for names: each candidate charset decodes the non-ASCII
runs; a candidate that cannot decode them is out; the others are scored per byte by how
much the text looks like the script the charset is for — frequent letters (or, for
Chinese, Japanese and Korean, frequent characters and kana) score high, other letters
of the script a little, and controls, private-use characters, stray symbols or a capital
letter inside a lower-case word score below zero. The guess is only offered to the
user, never applied on its own.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["CharsetGuess", "guess_charset", "is_utf8"]

# Frequent lower-case letters (the first ones of each language's letter frequency list).
_RUSSIAN = "оеаинтсрвлкмдпуяыьгзбч"
_CENTRAL = "ąćęłńóśźżčďěňřšťůýáéíúžőűäöôĺľŕ"
_WESTERN = "éèàçùâêîôûëïüöäßñóíúáãõœ"
_GREEK = "αοιετνσρηκπμλυωδγχθφβζξψέάίόήύώ"
_TURKISH = "ğışçöüâ"
# Frequent Chinese characters (simplified), kept short: a decoding of Korean or
# traditional Chinese bytes as GBK lands on them only by chance.
_HANZI = set(
    "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着"
    "下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小"
    "部其些主样理心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情明性知全三"
    "又关点正业外将两高间由问很最重并物手应战向头文体政美相见被利什二等产或新己制身果加西"
    "斯月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各"
    "入几口认条平系气题活尔更别打女变四神总何电数安少报才结反受目太量再感建务做接必场件计"
    "管期市直德资命山金指克许统区保至队形社便空决治展马科司五基眼书非则听白却界达光放强即"
    "像难且权思王象完设式色路记南品住告类求据程北边死张该交规万取拉格望觉术领共确传师观清"
    "今切院让识候带导争运笑飞风步改收根干造言联持组每济车亲极林服快办议往元英士证近失转夫"
    "令准布始怎存未远叫台单影具罗字爱击流备兵连调深商算质团集百需价花党华城石级整府离况亚"
    "请技际约示复病息究线似官火断精满支视消越器容照须九增研写称企八功包片史委查轻易早曾除"
    "农找装广显吧李标谈吃图念六引历首医局突专费号尽另周较注语仅考落青随选列武红响虽推势参"
    "希古众构房半节土投某案黑维革划敌致陈律足态护七兴派孩验责营星够章音跟志底站严巴例防族"
    "供效续施留讲型料终答紧黄绝奇察母京段依批群项故按河米围江织害斗双境客纪采举杀攻父苏密"
    "低朝友诉止细愿千值仍男钱破网热助倒育属坐帝限船脸职速刻乐否刚威毛状率甚独球般普怕弹校"
    "苦创假久错承印晚兰试股拿脑预谁益阳若哪微尼继送急血惊伤素药适波夜省初喜卫源食险待述陆"
    "习置居劳财环排福纳欢雷警获模充负云停木游龙树疑层冷洲冲射略范竟句室异激汉村哈策演简卡"
    "罪判担州静退既衣您宗积余痛检差富灵协角占配征修皮挥胜降阶审沉坚善妈刘读啊超免压银买皇"
    "养伊怀执副乱抗犯追帮宣佛岁航优怪香著田铁控税左右份穿艺背阵草脚概恶块顿敢守酒岛托央户"
    "烈洋哥索胡款靠评版宝座释景顾弟登货互付伯慢欧换闻危忙核暗姐介坏讨丽良序升监临亮露永呼"
    "味野架域沙掉括舰鱼杂误湾吉减编楚肯测败屋跑梦散温困剑渐封救贵枪缺楼县尚毫移娘朋画班智"
    "档案夹软件片视频图像备份下载资料项目报告表格照新建文件"
)
# Frequent Hangul syllables.
_HANGUL = set(
    "이다의는에하고한서지기사로가을를리자도수어일대정시인국문만들게있라해것나보그아요주상전"
    "부세면화유우신비동제회경모구성계여원위공중드장미소내마적과무연실거관식학방물오민조생선"
    "영간발체명현용진입차운교통행개청단러업호분감금추안치강산히불재배바복남설점결달되없저타"
    "양람속합건편음악폴더새프로젝트트크스터레르토포파일록진료표글림다운업데이트압축번역"
)


def _is_kana(ch: str) -> bool:
    return "\u3041" <= ch <= "\u30ff"


@dataclass(frozen=True, slots=True)
class _Profile:
    charset: str
    script: str  # "cyrillic", "latin", "greek", "han-s", "han-t", "japanese", "hangul"
    frequent: frozenset[str] = frozenset()


_PROFILES: tuple[_Profile, ...] = (
    _Profile("windows-1251", "cyrillic", frozenset(_RUSSIAN)),
    _Profile("koi8-r", "cyrillic", frozenset(_RUSSIAN)),
    _Profile("iso-8859-5", "cyrillic", frozenset(_RUSSIAN)),
    _Profile("cp866", "cyrillic", frozenset(_RUSSIAN)),
    _Profile("shift_jis", "japanese"),
    _Profile("euc-jp", "japanese"),
    _Profile("gbk", "han-s", frozenset(_HANZI)),
    _Profile("big5", "han-t"),
    _Profile("euc-kr", "hangul", frozenset(_HANGUL)),
    _Profile("windows-1252", "latin", frozenset(_WESTERN)),
    _Profile("iso-8859-2", "latin", frozenset(_CENTRAL)),
    _Profile("windows-1250", "latin", frozenset(_CENTRAL)),
    _Profile("iso-8859-7", "greek", frozenset(_GREEK)),
    _Profile("windows-1254", "latin", frozenset(_TURKISH + _WESTERN)),
)

_SCRIPT_WORD = {"cyrillic": "CYRILLIC", "latin": "LATIN", "greek": "GREEK"}


@dataclass(frozen=True, slots=True)
class CharsetGuess:
    """The likely charset of some names, with a sample decoded in it to show the user."""

    charset: str
    sample: str  # a name as it reads in ``charset``
    score: float  # per non-ASCII byte; higher is more certain


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _char_score(profile: _Profile, ch: str, previous: str) -> float:
    category = unicodedata.category(ch)
    if category in ("Cc", "Co", "Cn", "Cs"):
        return -6.0
    script = profile.script
    if script in _SCRIPT_WORD:
        if not category.startswith("L"):
            return -2.0
        if _SCRIPT_WORD[script] not in unicodedata.name(ch, ""):
            return -1.0
        if ch.isupper() and previous.isalpha() and previous.islower():
            return -3.0  # "дПЛСНЕОР": a case-inverted decoding
        if script != "latin" and previous.isascii() and previous.isalpha():
            return -2.0  # "Zdjкcia": one Cyrillic letter inside a Latin word
        return 3.0 if ch in profile.frequent else 1.0
    if category.startswith("L") and "\uac00" <= ch <= "\ud7a3":
        if script == "hangul":
            return 6.0 if ch in profile.frequent else 2.0
        return -2.0
    if _is_kana(ch):
        return 6.0 if script == "japanese" else -1.0
    if "\u4e00" <= ch <= "\u9fff":
        return _han_score(profile, ch)
    if "\uff61" <= ch <= "\uff9f":
        return 0.0  # half-width katakana: rare in names, common in wrong decodings
    if category.startswith("L"):
        return -1.0
    return -0.5 if category.startswith(("P", "Z")) else -2.0


def _han_score(profile: _Profile, ch: str) -> float:
    script = profile.script
    if script == "han-s":
        return 6.0 if ch in profile.frequent else 1.0
    if script == "han-t":
        code = ch.encode("big5", "ignore")
        return 5.0 if code and b"\xa4\x40" <= code <= b"\xc6\x7e" else 1.0
    if script == "japanese":
        code = ch.encode("shift_jis", "ignore")
        return 4.0 if code and b"\x88\x9f" <= code <= b"\x98\x72" else 1.0
    if script == "hangul":
        return 0.5
    return -1.0


def _score(profile: _Profile, runs: list[bytes]) -> tuple[float, str] | None:
    total = 0.0
    nbytes = 0
    best_sample = ""
    for run in runs:
        try:
            text = run.decode(profile.charset)
        except UnicodeDecodeError:
            return None
        previous = ""
        for ch in text:
            if ch.isascii():
                previous = ch
                continue
            total += _char_score(profile, ch, previous)
            previous = ch
        nbytes += sum(1 for byte in run if byte >= 0x80)
        if len(text) > len(best_sample):
            best_sample = text
    if not nbytes:
        return None
    return total / nbytes, best_sample


def _runs(lines: Iterable[bytes]) -> list[bytes]:
    """The words of each line that hold non-ASCII bytes (the names, not dates or sizes)."""
    found: list[bytes] = []
    for line in lines:
        for word in line.split():
            if any(byte >= 0x80 for byte in word):
                found.append(word)
    return found


def guess_charset(data: bytes, *, max_words: int = 400) -> CharsetGuess | None:
    """The likeliest non-UTF-8 charset for the names in ``data`` (a listing or a few
    names), or None when the bytes are plain ASCII or valid UTF-8, or no candidate reads
    them as text in its script."""
    if is_utf8(data):
        return None
    words = _runs(data.splitlines())[:max_words]
    if not words:
        return None
    best: CharsetGuess | None = None
    for profile in _PROFILES:
        scored = _score(profile, words)
        if scored is None:
            continue
        score, sample = scored
        if best is None or score > best.score:
            best = CharsetGuess(profile.charset, sample, score)
    if best is None or best.score <= 0.5:
        return None
    return best
