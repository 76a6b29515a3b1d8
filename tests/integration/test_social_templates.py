"""Channel messages are Django templates over a small set of variables, rendered as plain text; a template
that cannot be used is refused when saved, saying why."""

from __future__ import annotations

import datetime as dt

import pytest
from caunoi.social import admin as social_admin
from caunoi.social.admin import SocialChannelForm
from caunoi.social.templating import (
    MESSAGE_MAX_CHARS,
    VARIABLES,
    TemplateInvalid,
    Variables,
    check_template,
    render_message,
)

VN = dt.timezone(dt.timedelta(hours=7))
VARS = Variables.at(
    dt.datetime(2026, 12, 21, 9, 30, tzinfo=VN),
    title='Giá nước "sinh hoạt" & phí <thoát nước>',
    agency="Sở Xây dựng",
    link="https://caunoi.example.gov.vn/hoi-dap/gia-nuoc/",
)


@pytest.fixture(autouse=True)
def _english(settings):
    # The assertions read the English messages; the site's default language is Vietnamese.
    settings.LANGUAGE_CODE = "en"


def test_every_variable_renders_as_plain_text():
    text = render_message("{{ agency }} | {{ title }} | {{ date }} {{ time }} | {{ link }}", VARS)

    assert text == (
        'Sở Xây dựng | Giá nước "sinh hoạt" & phí <thoát nước> | 21/12/2026 09:30 | '
        "https://caunoi.example.gov.vn/hoi-dap/gia-nuoc/"
    )


def test_filters_and_conditions_work_and_long_messages_are_cut():
    assert render_message("{{ title|upper|truncatechars:9 }}{% if link %}!{% endif %}", VARS) == "GIÁ NƯỚC…!"
    long = render_message("{% for i in 'x'|rjust:3000 %}a{% endfor %}", VARS)
    assert len(long) == MESSAGE_MAX_CHARS and long.endswith("…")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ title ", "The template has a syntax error"),
        ("{% if title %}open", "The template has a syntax error"),
        ("{{ title }} {{ case.submitter_phone }}", "Unknown variable: case.submitter_phone. Use only: title,"),
        ("{{ titel }}", "Unknown variable: titel."),
        ("{% include 'base.html' %}", "The template cannot be rendered"),
        ("{% load static %}{% static 'x.css' %}", "The template has a syntax error"),
        ("   {# nothing #}  ", "The template gives an empty message."),
        ("x" * 1001, "Keep the template under 1000 characters."),
    ],
)
def test_bad_templates_are_refused_with_a_reason(source, message):
    with pytest.raises(TemplateInvalid) as refused:
        check_template(source)
    assert message in str(refused.value)


def test_the_admin_help_names_every_variable():
    help_text = str(social_admin.TEMPLATE_HELP)
    assert all(f"{{{{ {name} }}}}" in help_text for name in VARIABLES)


@pytest.mark.django_db
def test_the_channel_form_refuses_a_bad_template_on_the_field(reference_data):
    form = SocialChannelForm(
        data={
            "name": "Trang Facebook Sở NN&MT",
            "agency": reference_data["agencies"]["SO-NNMT-HN"].pk,
            "platform": "facebook",
            "enabled": "on",
            "page_id": "104729384756",
            "secret": "EAAG-page-token",
            "answer_template": "{{ title }} {{ phone }}",
            "dialogue_template": "{% if %}",
        }
    )

    assert not form.is_valid()
    assert "Unknown variable: phone." in form.errors["answer_template"][0]
    assert "syntax error" in form.errors["dialogue_template"][0]
