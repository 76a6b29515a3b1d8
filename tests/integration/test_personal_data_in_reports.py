"""Citizens' contact details never reach logs or error reports (Sentry), whichever way they travel there."""

import logging

import pytest
import sentry_sdk
from caunoi.core.scrubbing import FILTERED, PersonalDataFilter, scrub, sentry_before_send
from sentry_sdk.transport import Transport

PHONE, EMAIL, CCCD = "0912 345 678", "nguyen.van.a@example.vn", "001203004567"


class Captured(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.events = []

    def capture_envelope(self, envelope):
        self.events += [item.payload.json for item in envelope.items if item.type == "event"]


@pytest.fixture
def sentry():
    transport = Captured()
    sentry_sdk.init(
        dsn="https://public@sentry.invalid/1",
        transport=transport,
        before_send=sentry_before_send,
        send_default_pii=False,
        include_local_variables=True,
    )
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # inert again


def test_an_error_report_carries_no_contact_details(sentry):
    def submit(contact_phone, note):
        raise ValueError(f"could not route the case of {EMAIL} (CCCD {CCCD})")

    try:
        submit(PHONE, f"gọi lại số {PHONE}")
    except ValueError:
        sentry_sdk.capture_exception()
    sentry_sdk.flush()

    assert len(sentry.events) == 1
    sent = repr(sentry.events[0])
    for personal in (PHONE, "0912345678", EMAIL, CCCD):
        assert personal not in sent
    assert "could not route the case" in sent  # the report is still useful
    frame_vars = sentry.events[0]["exception"]["values"][0]["stacktrace"]["frames"][-1]["vars"]
    assert frame_vars["contact_phone"] == FILTERED


def test_request_data_fields_are_filtered_by_name():
    event = {"request": {"data": {"name": "Nguyễn Văn A", "title": "Hỏi về đất", "address": "12 Lê Lợi"}}}
    assert scrub(event) == {"request": {"data": {"name": FILTERED, "title": "Hỏi về đất", "address": FILTERED}}}


def test_log_lines_carry_no_contact_details(caplog):
    logger = logging.getLogger("caunoi.test")
    logger.addFilter(PersonalDataFilter())
    try:
        with caplog.at_level(logging.INFO, logger="caunoi.test"):
            logger.info("notification to %s failed; phone %s", EMAIL, PHONE)
    finally:
        logger.filters.clear()
    assert EMAIL not in caplog.text and PHONE not in caplog.text
    assert "notification to" in caplog.text


def test_the_logging_settings_install_the_filter(settings):
    handler = settings.LOGGING["handlers"]["console"]
    assert "personal_data" in handler["filters"]
    assert settings.LOGGING["filters"]["personal_data"]["()"] == "caunoi.core.scrubbing.PersonalDataFilter"


def test_what_is_not_personal_data_is_left_as_it_is():
    message = "case HD-2026-000042 routed to SO-NNMT-HN\n\nThis message was sent automatically (Điều 12 Luật 2024)"
    assert scrub(message) == message
