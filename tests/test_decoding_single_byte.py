"""Cyrillic and Arabic pages in a single-byte code page, labelled with the wrong one: read as
another Cyrillic or Arabic code page they still come out as letters (KOI8-R as windows-1251 is
Cyrillic with every letter's case turned round), so the decoder checks which code page's
letters the bytes spell against the label. Correct labels, and pages of other scripts, stay as
they are.

The texts are real where ../shared/ has a page in the script (a Russian and a Tunisian
article), and else written here."""
from __future__ import annotations

import gzip

import pytest

from benchmarks.robustness import LEGACY_TEXTS, article_html
from scraper.extractors import extract_page
from scraper.extractors.decoding import decode_html

from conftest import SHARED

RUSSIAN_PAGE = (SHARED / "corpus" / "aeb" / "html"
                / "c4a3637c6696f238cf9fe1c7fbb17bbb6731a71d4f5fe399b9b4fc3294a96a6b.html.gz")
ARABIC_PAGE = SHARED / "corpus" / "trafilatura-eval" / "html" / "assabah.com.tn.article.html.gz"

WRITTEN = {
    "russian": "Вчера в городской библиотеке открылась выставка старых фотографий. Посетители могут "
               "увидеть, как выглядели улицы и площади сто лет назад, а также оставить свои "
               "воспоминания в книге отзывов. Организаторы обещают, что выставка будет работать до конца "
               "месяца, а вход для всех желающих останется бесплатным.",
    "arabic": "افتتح أمس في المكتبة البلدية معرض للصور القديمة. ويمكن للزوار أن يشاهدوا كيف كانت "
              "الشوارع والساحات قبل مئة عام، وأن يكتبوا ذكرياتهم في سجل الزوار. ويقول المنظمون إن "
              "المعرض سيستمر حتى نهاية الشهر، وإن الدخول سيبقى مجانيا للجميع.",
}


def real_text(path, url: str) -> str:
    """The first paragraphs of a shared page's article, about a short post's length."""
    if not path.exists():
        pytest.skip(f"shared page not found: {path}")
    kept: list[str] = []
    for paragraph in extract_page(gzip.open(path).read(), url)["article"]["body_text"].split("\n\n"):
        kept.append(paragraph)
        if sum(map(len, kept)) > 400:
            break
    return "\n".join(kept)


@pytest.fixture(params=["written", "robustness benchmark", "shared page"])
def russian(request) -> str:
    if request.param == "written":
        return WRITTEN["russian"]
    if request.param == "robustness benchmark":
        return LEGACY_TEXTS["koi8-r"]
    return real_text(RUSSIAN_PAGE, "https://games.example.ru/skyrim/")


@pytest.fixture(params=["written", "robustness benchmark", "shared page"])
def arabic(request) -> str:
    if request.param == "written":
        return WRITTEN["arabic"]
    if request.param == "robustness benchmark":
        return LEGACY_TEXTS["windows-1256"]
    return real_text(ARABIC_PAGE, "https://www.assabah.com.tn/article/1")


# What a real page prints around its article, in ASCII whatever its language (menus, dates,
# counts, share buttons, an archive list): it dilutes the letters beyond ASCII, and with them a
# general-purpose charset check's sense of mojibake.
CHROME = ('<nav><a href="/">Home</a> | <a href="/news/">News</a> | <a href="/archive/">Archive</a> | '
          '<a href="/rss.xml">RSS</a> | <a href="/contact/">Contact</a></nav>'
          '<p class="meta">2024-05-07 10:42 | ID 48213 | 1,024 views | 12 comments</p>'
          '<ul class="share"><li>Facebook</li><li>Twitter</li><li>WhatsApp</li><li>Email</li><li>Print</li></ul>')
SIDEBAR = ('<aside class="sidebar"><h3>Archive</h3><ul>'
           + "".join(f'<li><a href="/2024/{m:02d}/">2024-{m:02d}</a> ({m + 3})</li>' for m in range(1, 13))
           + '</ul></aside><footer><p>(c) 2009-2024 blog.example.org | Powered by WordPress | Top</p></footer>')


def labelled(text: str, encoding: str, label: str, where: str) -> tuple[bytes, str | None]:
    """A page of ``text`` in ``encoding`` that says it is ``label``, in its ``<meta charset>``
    or its Content-Type header."""
    paragraphs = "".join(f"<p>{line}</p>" for line in text.split("\n") if line.strip())
    head = f'<meta charset="{label}">' if where == "meta" else ""
    header = f"text/html; charset={label}" if where == "header" else None
    page = article_html(CHROME + paragraphs, head).replace("</body>", SIDEBAR + "</body>")
    return page.encode(encoding, "replace"), header


def as_encodable(text: str, encoding: str) -> str:
    """``text`` as far as ``encoding`` can hold it (KOI8-R has no em dash)."""
    return text.encode(encoding, "replace").decode(encoding)


def lines_of(text: str, encoding: str) -> list[str]:
    return [line for line in as_encodable(text, encoding).split("\n") if line.strip()]


@pytest.mark.parametrize("where", ["meta", "header"])
@pytest.mark.parametrize("encoding, label", [("koi8-r", "windows-1251"), ("cp1251", "koi8-r"),
                                             ("iso-8859-5", "windows-1251")])
def test_russian_under_another_cyrillic_label_is_read_as_written(russian, encoding, label, where):
    page, header = labelled(russian, encoding, label, where)
    decoded = decode_html(page, header)
    for line in lines_of(russian, encoding):
        assert line in decoded


@pytest.mark.parametrize("where", ["meta", "header"])
@pytest.mark.parametrize("label", ["windows-1251", "koi8-r"])
def test_arabic_under_a_cyrillic_label_is_read_as_written(arabic, label, where):
    page, header = labelled(arabic, "cp1256", label, where)
    decoded = decode_html(page, header)
    for line in lines_of(arabic, "cp1256"):
        assert line in decoded


def test_the_article_comes_out_as_written():
    page, header = labelled(WRITTEN["russian"], "koi8-r", "windows-1251", "header")
    body = extract_page(page, "https://blog.example.org/post/", header)["article"]["body_text"]
    assert WRITTEN["russian"] in body


# -- what must stay as it is ------------------------------------------------------------------
@pytest.mark.parametrize("where", ["meta", "header"])
@pytest.mark.parametrize("encoding, label", [("cp1251", "windows-1251"), ("koi8-r", "koi8-r"),
                                             ("iso-8859-5", "iso-8859-5")])
def test_a_correct_cyrillic_label_is_kept(russian, encoding, label, where):
    page, header = labelled(russian, encoding, label, where)
    assert decode_html(page, header) == page.decode(encoding)


@pytest.mark.parametrize("where", ["meta", "header"])
def test_a_correct_arabic_label_is_kept(arabic, where):
    page, header = labelled(arabic, "cp1256", "windows-1256", where)
    assert decode_html(page, header) == page.decode("cp1256")


@pytest.mark.parametrize("text", [
    # Other languages written in Cyrillic, with letters Russian has not.
    "Їжак і ґанок: українські слова, яких немає в російській мові, теж мають читатися правильно, "
    "навіть коли сторінка вказує кодування windows-1251.",
    "Ђак је донео љубичасту свеску, њиву је описао, а ћуприју и џеп нацртао на последњој страни.",
    # Capitals, headlines and abbreviations.
    "ВНИМАНИЕ! АРХИВ БЛОГА ХРАНИТ КАЖДУЮ СТАТЬЮ. Мы проверяем, что текст читается правильно.",
])
def test_other_cyrillic_text_under_its_own_label_is_kept(text):
    page, header = labelled(text, "cp1251", "windows-1251", "meta")
    assert decode_html(page, header) == page.decode("cp1251")


def test_a_latin1_page_is_kept():
    text = ("Über den Wolken muß die Freiheit wohl grenzenlos sein. À la fin de l'été, les élèves "
            "reçoivent leur diplôme. ¿Dónde está la señora Muñoz?")
    page, header = labelled(text, "iso-8859-1", "iso-8859-1", "meta")
    assert decode_html(page, header) == page.decode("iso-8859-1")


@pytest.mark.parametrize("label", ["windows-1251", "koi8-r", "windows-1256"])
def test_a_mostly_english_page_with_a_few_typographic_marks_keeps_its_label(label):
    text = "An English page\xa0— with «quotes», a dash – and № 5 … " * 4
    page, header = labelled(text, label, label, "meta")
    assert decode_html(page, header) == page.decode(label)
