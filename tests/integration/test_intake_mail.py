"""E-mail in and out through a real SMTP server: mail to the intake address becomes a case and the sender is
sent the tracking code; every message about a case carries that case's signed reply address, and a reply sent
to it lands on the timeline without the quoted history; anything else waits for staff with a reason."""

import smtplib
import socket
from email.message import EmailMessage

import pytest
from caunoi.cases.models import Case, Message, Note
from caunoi.cases.services import case_claim, case_request_info
from caunoi.intake.models import InboundMail
from caunoi.intake.smtp import mail_server
from caunoi.notifications.models import Notification
from caunoi.notifications.replies import reply_address, reply_subject
from caunoi.notifications.services import notification_deliver
from django.core import mail as django_mail

from tests.support.cases import submit_case
from tests.support.files import exe_bytes, pdf_bytes

pytestmark = pytest.mark.django_db(transaction=True)

INTAKE = "gopy@caunoi.local"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    settings.INBOUND_MAIL_DOMAIN = "caunoi.local"
    settings.INTAKE_MAIL_ADDRESS = INTAKE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    server = mail_server("127.0.0.1", _free_port())
    server.start()
    yield server
    server.stop()


def send(server, *, to, subject="Đèn đường hỏng ở ngõ 12", body="", sender="an@example.org", attach=(), headers=()):
    message = EmailMessage()
    message["From"] = f"Nguyễn Văn An <{sender}>"
    message["To"] = to
    message["Subject"] = subject
    for name, value in headers:
        message[name] = value
    message.set_content(body)
    for filename, content, ctype in attach:
        maintype, subtype = ctype.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    with smtplib.SMTP(server.hostname, server.port, timeout=10) as client:
        client.send_message(message)


def test_a_mail_to_the_intake_address_becomes_a_case_and_the_sender_gets_the_tracking_code(smtp_server, reference_data):
    send(
        smtp_server,
        to=INTAKE,
        body="Đèn đường ở ngõ 12 phố Hàng Bông hỏng đã hai tuần, buổi tối rất tối và nguy hiểm.",
        attach=[("anh.pdf", pdf_bytes(), "application/pdf")],
    )

    case = Case.objects.get()
    assert case.channel == "email"
    assert case.title == "Đèn đường hỏng ở ngõ 12"
    assert case.contact_email == "an@example.org"
    assert case.contact_name == "Nguyễn Văn An"
    assert [a.original_name for a in case.attachments.all()] == ["anh.pdf"]
    assert InboundMail.objects.get().status == "case_created"
    receipt = Notification.objects.get(template="case_received")
    assert receipt.recipient == "an@example.org"
    assert notification_deliver(receipt.pk) == "sent"
    sent = django_mail.outbox[-1]
    assert case.tracking_code in sent.body
    # The receipt's reply address is the case's own, signed; nobody can make one up for another case.
    assert sent.reply_to == [reply_address(f"case.{case.pk}.c")]
    assert reply_subject(sent.reply_to[0]) == f"case.{case.pk}.c"
    assert reply_subject(sent.reply_to[0].replace(f"case.{case.pk}.", f"case.{case.pk + 1}.")) is None


def test_a_citizen_reply_lands_on_the_timeline_without_the_quoted_history(smtp_server, reference_data):
    case, _token = submit_case(email="an@example.org")
    body = (
        "Tôi xin bổ sung: đèn ở cột số 3 và số 4.\n\n"
        "Vào Th 2, 7 thg 12, 2026 lúc 10:00 Cổng thông tin <no-reply@caunoi.local> đã viết:\n"
        "> Chúng tôi đã nhận yêu cầu của bạn HD-2026-000001\n> Mã tra cứu: ...\n"
    )

    send(
        smtp_server, to=reply_address(f"case.{case.pk}.c"), subject="Re: Chúng tôi đã nhận", body=body,
        attach=[("cot-den.pdf", pdf_bytes(), "application/pdf")],
    )  # fmt: skip

    assert [a.original_name for a in case.attachments.all()] == ["cot-den.pdf"]  # checked, then kept
    message = Message.objects.get(case=case)
    assert message.direction == "from_citizen"
    assert message.body == "Tôi xin bổ sung: đèn ở cột số 3 và số 4."
    assert case.events.filter(type="citizen_wrote").exists()


def test_a_reply_to_a_question_of_the_agency_resumes_the_clock(smtp_server, reference_data, personas):
    case, _token = submit_case(email="an@example.org")
    case_claim(case=case, by=personas["official_a"])
    case_request_info(case=case, by=personas["official_a"], message="Xin cho biết số nhà cụ thể.")
    english = "Số nhà 15.\n\nOn Mon, Dec 7, 2026 at 10:00 AM Portal <no-reply@caunoi.local> wrote:\n> Xin cho biết"

    send(smtp_server, to=reply_address(f"case.{case.pk}.c"), subject="Re: thông tin", body=english)

    case.refresh_from_db()
    assert case.status != "waiting_citizen"
    assert case.due_at is not None
    assert Message.objects.filter(case=case, direction="from_citizen").get().body == "Số nhà 15."


def test_a_staff_reply_becomes_an_internal_note_only_from_that_staff_member(smtp_server, reference_data, personas):
    official = personas["official_a"]
    official.email = "official-a@so-nnmt.gov.vn"
    official.save()
    case, _token = submit_case()
    address = reply_address(f"case.{case.pk}.s{official.pk}")

    send(smtp_server, to=address, sender="official-a@so-nnmt.gov.vn", body="Đã liên hệ phường, chờ kết quả.")
    send(smtp_server, to=address, sender="someone@else.example", body="Ghi chú giả mạo từ người khác.")

    assert [n.body for n in Note.objects.filter(case=case)] == ["Đã liên hệ phường, chờ kết quả."]
    held = InboundMail.objects.get(status="held")
    assert held.reason == "not_allowed"


@pytest.mark.parametrize(
    ("to", "extra", "reason"),
    [
        ("reply+case.1.c.00000000000000000000000000000000@caunoi.local", {}, "unknown_recipient"),
        ("hoi-dap@caunoi.local", {}, "unknown_recipient"),
        ("reply", {"attach": [("virus.pdf", exe_bytes(), "application/pdf")]}, "attachment_refused"),
        (INTAKE, {"attach": [("virus.pdf", exe_bytes(), "application/pdf")]}, "attachment_refused"),
        (INTAKE, {"headers": [("Auto-Submitted", "auto-replied")]}, "automatic"),
        (INTAKE, {"subject": "", "body": "ok"}, "too_short"),
    ],
)
def test_mail_that_matches_nothing_or_fails_a_check_waits_for_staff_with_a_reason(
    smtp_server, reference_data, to, extra, reason
):
    existing = None
    if to == "reply":  # a citizen's reply to their case with a file that fails the checks
        existing, _token = submit_case()
        to = reply_address(f"case.{existing.pk}.c")
    send(smtp_server, to=to, **{"body": "Nội dung phản ánh đủ dài để tạo hồ sơ.", **extra})

    held = InboundMail.objects.get()
    assert (held.status, held.reason) == ("held", reason)
    assert list(Case.objects.all()) == ([existing] if existing else [])
    if existing:
        assert not existing.attachments.exists() and not Message.objects.exists()


def test_mail_for_other_domains_is_refused_at_the_door(smtp_server, reference_data):
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(smtp_server, to="someone@example.org", body="Thử chuyển tiếp thư qua máy chủ này.")
    assert not InboundMail.objects.exists()


def test_every_message_about_a_case_carries_its_reply_address(reference_data, personas, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    case, _token = submit_case(email="an@example.org")
    case_claim(case=case, by=personas["official_a"])
    case_request_info(case=case, by=personas["official_a"], message="Xin bổ sung giấy tờ.")

    for row in Notification.objects.filter(channel="email").order_by("pk"):
        assert row.headers["Reply-To"] == reply_address(f"case.{case.pk}.c")
        assert notification_deliver(row.pk) == "sent"
    assert {tuple(m.reply_to) for m in django_mail.outbox} == {(reply_address(f"case.{case.pk}.c"),)}
    assert "reply to this e-mail" in django_mail.outbox[-1].body or "trả lời thư này" in django_mail.outbox[-1].body


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("citizen", False), ("official_a", False), ("leader", False), ("moderator", True), ("admin", True)],
)
def test_who_may_read_and_act_on_held_mail(smtp_server, reference_data, personas, web, persona, allowed):
    send(smtp_server, to="hoi-dap@caunoi.local", body="Thư gửi nhầm địa chỉ nhưng là phản ánh thật.")
    held = InboundMail.objects.get()
    web.force_login(personas[persona])

    page = web.get("/staff/mail/")
    assert page.status_code == (200 if allowed else 404)
    if allowed:
        assert "Thư gửi nhầm địa chỉ" in page.content.decode()
    response = web.post(f"/staff/mail/{held.pk}/discard/")
    assert response.status_code == (302 if allowed else 404)
    held.refresh_from_db()
    assert held.status == ("discarded" if allowed else "held")


def test_staff_add_a_held_mail_to_its_case_and_a_wrong_code_is_said_beside_the_field(
    smtp_server, reference_data, personas, web
):
    case, _token = submit_case()
    send(smtp_server, to="hoi-dap@caunoi.local", body="Tôi gửi thêm thông tin cho yêu cầu của tôi.")
    held = InboundMail.objects.get()
    web.force_login(personas["moderator"])

    wrong = web.post(f"/staff/mail/{held.pk}/add-to-case/", {"tracking_code": "HD-2026-999999"})
    assert wrong.status_code == 400
    assert 'id="id_tracking_code-error"' in wrong.content.decode()
    assert "HD-2026-999999" in wrong.content.decode()

    right = web.post(f"/staff/mail/{held.pk}/add-to-case/", {"tracking_code": case.tracking_code.lower()})
    assert right.status_code == 302
    assert Message.objects.get(case=case).body == "Tôi gửi thêm thông tin cho yêu cầu của tôi."
    held.refresh_from_db()
    assert (held.status, held.case_id) == ("added_to_case", case.pk)


def test_messages_written_in_bulk_by_the_sweep_get_their_reply_address_when_sent(reference_data, personas, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    official = personas["official_a"]
    official.email = "official-a@so-nnmt.gov.vn"
    official.save()
    case, _token = submit_case(email="an@example.org")
    context = {"tracking_code": case.tracking_code, "title": case.title, "agency": "Sở", "due_date": "2026-12-31",
               "days_before": 2, "case_url": "https://caunoi.example/staff/cases/1/"}  # fmt: skip
    # As the deadline sweep writes them: in SQL, with no headers.
    staff = Notification.objects.create(channel="email", recipient=official.email, template="staff_reminder",
                                        context=context, subject_ref=f"case:{case.pk}")  # fmt: skip
    citizen = Notification.objects.create(channel="email", recipient="an@example.org",
                                          template="late_status_update", subject_ref=f"case:{case.pk}",
                                          context={**context, "days_late": 1, "track_url": "https://x/"})  # fmt: skip

    assert notification_deliver(staff.pk) == "sent"
    assert django_mail.outbox[-1].reply_to == [reply_address(f"case.{case.pk}.s{official.pk}")]
    Notification.objects.filter(template="case_received").update(status="sent")  # not the point here
    assert notification_deliver(citizen.pk) == "sent"
    assert django_mail.outbox[-1].reply_to == [reply_address(f"case.{case.pk}.c")]
    assert "trả lời thư này" in django_mail.outbox[-1].body


def test_administrators_read_every_mail_in_the_admin(smtp_server, reference_data, personas, web):
    send(smtp_server, to="hoi-dap@caunoi.local", body="Thư gửi nhầm địa chỉ nhưng là phản ánh thật.")
    mail = InboundMail.objects.get()
    personas["admin"].is_staff = personas["admin"].is_superuser = True
    personas["admin"].save()
    web.force_login(personas["admin"])

    assert web.get("/admin/intake/inboundmail/").status_code == 200
    page = web.get(f"/admin/intake/inboundmail/{mail.pk}/change/")
    assert page.status_code == 200
    assert "Thư gửi nhầm địa chỉ" in page.content.decode()
    assert web.get("/admin/follows/subscription/").status_code == 200
