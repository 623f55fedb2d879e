"""Words of the staff pages about where a one-time code goes (shown, or sent to the person)."""

from __future__ import annotations

from portal.web.i18n import FIELD_ERROR_WORDS, WORDS

WORDS.update(
    {
        "staff_email": ("Thư điện tử của người dùng", "The person's e-mail address"),
        "staff_email_hint": (
            "Bắt buộc khi tài khoản được xem hồ sơ mà bạn không được xem: mã dùng một lần được gửi thẳng "
            "đến địa chỉ này, không hiển thị cho bạn.",
            "Required when the account will read records you cannot: its one-time code is sent straight "
            "to this address and not shown to you.",
        ),
        "staff_phone": ("Số điện thoại của người dùng", "The person's phone"),
        "code_sent_email": (
            "Mã dùng một lần đã được gửi qua thư điện tử đến {to}.",
            "The one-time code was sent by e-mail to {to}.",
        ),
        "code_sent_sms": (
            "Mã dùng một lần đã được gửi qua tin nhắn đến {to}.",
            "The one-time code was sent by text message to {to}.",
        ),
        "code_sent_hint": (
            "Tài khoản này được xem hồ sơ mà bạn không được xem, nên mã không hiển thị cho bạn. "
            "Người dùng tự đặt mật khẩu bằng mã trong thư.",
            "This account reads records you cannot, so its code is not shown to you. The person sets "
            "their own password with the code in the message.",
        ),
        "code_no_address": (
            "Tài khoản này chưa có thư điện tử để gửi mã. Người dùng cần tự ghi địa chỉ của mình.",
            "This account has no e-mail address to send its code to. The person must record one first.",
        ),
    }
)
FIELD_ERROR_WORDS.update(
    {
        ("email", "required"): (
            "Nhập thư điện tử của người dùng: mã dùng một lần sẽ được gửi đến đó.",
            "Give the person's e-mail address: the one-time code is sent there.",
        ),
        ("email", "invalid"): ("Không phải địa chỉ thư điện tử.", "Not an e-mail address."),
        ("email", "taken"): ("Địa chỉ đã thuộc tài khoản khác.", "Already registered to another account."),
        ("phone", "invalid"): ("Không phải số điện thoại.", "Not a phone number."),
        ("phone", "taken"): ("Số đã thuộc tài khoản khác.", "Already registered to another account."),
    }
)
