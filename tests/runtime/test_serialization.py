"""Parameter serialisation against the OpenAPI specification's own "Style Examples"
table (Parameter Object, 3.1.1, which follows RFC 6570): `color` is "blue",
["blue", "black", "brown"] or {"R": 100, "G": 200, "B": 150}."""

from __future__ import annotations

import datetime
import enum

import pytest
from masivo_client._serialization import (
    cookie_pairs,
    encode_content,
    form_pairs,
    header_value,
    path_value,
    query_string,
)
from pydantic import BaseModel

STRING = "blue"
ARRAY = ["blue", "black", "brown"]
OBJECT = {"R": 100, "G": 200, "B": 150}

# (style, explode, value, expected) for the path styles, rows of the specification's table.
PATH_TABLE = [
    ("simple", False, STRING, "blue"),
    ("simple", False, ARRAY, "blue,black,brown"),
    ("simple", False, OBJECT, "R,100,G,200,B,150"),
    ("simple", True, STRING, "blue"),
    ("simple", True, ARRAY, "blue,black,brown"),
    ("simple", True, OBJECT, "R=100,G=200,B=150"),
    ("label", False, STRING, ".blue"),
    ("label", False, ARRAY, ".blue,black,brown"),
    ("label", False, OBJECT, ".R,100,G,200,B,150"),
    ("label", True, STRING, ".blue"),
    ("label", True, ARRAY, ".blue.black.brown"),
    ("label", True, OBJECT, ".R=100.G=200.B=150"),
    ("matrix", False, STRING, ";color=blue"),
    ("matrix", False, ARRAY, ";color=blue,black,brown"),
    ("matrix", False, OBJECT, ";color=R,100,G,200,B,150"),
    ("matrix", True, STRING, ";color=blue"),
    ("matrix", True, ARRAY, ";color=blue;color=black;color=brown"),
    ("matrix", True, OBJECT, ";R=100;G=200;B=150"),
]

QUERY_TABLE = [
    ("form", False, STRING, "color=blue"),
    ("form", False, ARRAY, "color=blue,black,brown"),
    ("form", False, OBJECT, "color=R,100,G,200,B,150"),
    ("form", True, STRING, "color=blue"),
    ("form", True, ARRAY, "color=blue&color=black&color=brown"),
    ("form", True, OBJECT, "R=100&G=200&B=150"),
    ("spaceDelimited", False, ARRAY, "color=blue%20black%20brown"),
    ("spaceDelimited", False, OBJECT, "color=R%20100%20G%20200%20B%20150"),
    ("pipeDelimited", False, ARRAY, "color=blue%7Cblack%7Cbrown"),
    ("pipeDelimited", False, OBJECT, "color=R%7C100%7CG%7C200%7CB%7C150"),
    ("deepObject", True, OBJECT, "color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150"),
]


@pytest.mark.parametrize(("style", "explode", "value", "expected"), PATH_TABLE)
def test_path_styles_match_the_specification_table(
    style: str, explode: bool, value: object, expected: str
) -> None:
    assert path_value("color", value, style, explode) == expected


@pytest.mark.parametrize(("style", "explode", "value", "expected"), QUERY_TABLE)
def test_query_styles_match_the_specification_table(
    style: str, explode: bool, value: object, expected: str
) -> None:
    assert query_string(form_pairs("color", value, style, explode)) == expected


@pytest.mark.parametrize(
    ("explode", "value", "expected"),
    [
        (False, STRING, "blue"),
        (False, ARRAY, "blue,black,brown"),
        (False, OBJECT, "R,100,G,200,B,150"),
        (True, OBJECT, "R=100,G=200,B=150"),
    ],
)
def test_headers_use_the_simple_style(explode: bool, value: object, expected: str) -> None:
    assert header_value(value, explode) == expected


def test_cookies_use_the_form_style() -> None:
    assert cookie_pairs("color", ARRAY, explode=False) == [("color", "blue,black,brown")]
    assert cookie_pairs("color", STRING) == [("color", "blue")]


def test_asana_opt_fields_form_without_explode_is_one_comma_list() -> None:
    assert query_string(form_pairs("opt_fields", ["name", "assignee"], "form", False)) == (
        "opt_fields=name,assignee"
    )


def test_values_are_percent_encoded_but_delimiters_are_not() -> None:
    assert path_value("id", "north/east") == "north%2Feast"
    assert path_value("id", ["a,b", "c d"]) == "a%2Cb,c%20d"
    assert query_string(form_pairs("q", "a&b=c #1")) == "q=a%26b%3Dc%20%231"
    assert query_string(form_pairs("tag", ["x/y", "ü"], "form", False)) == "tag=x%2Fy,%C3%BC"


def test_allow_reserved_keeps_reserved_characters() -> None:
    assert query_string(form_pairs("path", "/a/b:c", allow_reserved=True)) == "path=/a/b:c"
    assert query_string(form_pairs("path", "/a b", allow_reserved=True)) == "path=/a%20b"
    assert query_string(form_pairs("path", "/a/b:c")) == "path=%2Fa%2Fb%3Ac"


class Color(enum.Enum):
    BLUE = "blue"


class Rgb(BaseModel):
    R: int
    G: int


def test_scalars_models_and_enums() -> None:
    assert query_string(form_pairs("flag", True)) == "flag=true"
    assert query_string(form_pairs("color", Color.BLUE)) == "color=blue"
    assert query_string(form_pairs("day", datetime.date(2024, 1, 2))) == "day=2024-01-02"
    assert query_string(form_pairs("c", Rgb(R=1, G=2), "deepObject")) == "c%5BR%5D=1&c%5BG%5D=2"
    assert path_value("c", (1, 2)) == "1,2"


def test_empty_values() -> None:
    assert query_string(form_pairs("color", [], "form", True)) == ""
    assert query_string(form_pairs("color", [], "form", False)) == "color="
    assert query_string(form_pairs("color", "")) == "color="
    assert path_value("color", "", "matrix") == ";color"


def test_content_parameters_are_encoded_as_their_media_type() -> None:
    assert encode_content({"a": [1, 2]}, "application/json") == '{"a":[1,2]}'
    assert query_string(form_pairs("filter", encode_content({"a": 1}, "application/json"))) == (
        "filter=%7B%22a%22%3A1%7D"
    )
    assert encode_content("plain", "text/plain") == "plain"
