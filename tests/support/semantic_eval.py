"""A labelled Vietnamese evaluation set for understanding text (issue #20): duplicates, search and routing.

Each topic is one question people ask again and again, with the agency that answers it (the demo agencies
of `caunoi.agencies.seed`), the category a citizen would likely pick, and the area. Its questions form a
paraphrase group: hand-written variants (how people really write: long, chatty, sometimes without
diacritics) plus questions generated from frames and the topic's synonymous phrasings ("sổ đỏ" ↔ "giấy
chứng nhận quyền sử dụng đất", "bìa đỏ"). Near topics sit side by side on purpose (first certificate vs
transfer vs lost certificate) so a matcher must tell them apart.

`questions()` is deterministic: the same list on every run, so figures compare between runs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from caunoi.core.text import vn_fold

HANOI = "tinh-01"
HOAN_KIEM = "xa-00070"


@dataclass(frozen=True)
class Topic:
    key: str
    agency: str  # the agency that answers it (code)
    category: str  # the category a citizen picks (slug); often not the one the rules need
    area: str | None
    phrasings: tuple[str, ...]  # synonymous noun phrases for the subject
    written: tuple[str, ...]  # hand-written questions
    query: str  # what someone types into search for this topic


@dataclass(frozen=True)
class Question:
    text: str
    topic: str  # the paraphrase group
    agency: str
    category: str
    area: str | None
    unaccented: bool


FRAMES = (
    "Cho tôi hỏi thủ tục {p} gồm những giấy tờ gì?",
    "Xin hướng dẫn {p}, nộp hồ sơ ở đâu và mất bao lâu?",
    "Tôi cần {p} thì phải làm thế nào?",
    "Hỏi về {p}",
    "Thời gian giải quyết {p} là bao nhiêu ngày?",
    "Kính gửi cơ quan chức năng, gia đình tôi muốn {p}, mong được hướng dẫn.",
)

TOPICS: tuple[Topic, ...] = (
    Topic(
        "land-cert-first",
        "SO-NNMT-HN",
        "dat-dai",
        HANOI,
        ("cấp sổ đỏ lần đầu", "cấp giấy chứng nhận quyền sử dụng đất lần đầu", "làm bìa đỏ lần đầu"),
        (
            "Nhà tôi có mảnh đất ông bà để lại từ năm 1990 chưa có sổ, giờ muốn làm sổ đỏ thì cần những gì?",
            "dat nha toi o tu truoc 1993 chua duoc cap so do, thu tuc cap lan dau the nao",
            "Đất ở ổn định nhiều năm nhưng chưa có giấy chứng nhận, xin cấp mới có được không?",
        ),
        "cấp sổ đỏ lần đầu",
    ),
    Topic(
        "land-cert-transfer",
        "SO-NNMT-HN",
        "dat-dai",
        HANOI,
        (
            "sang tên sổ đỏ khi mua bán đất",
            "chuyển nhượng quyền sử dụng đất",
            "sang tên giấy chứng nhận quyền sử dụng đất",
        ),
        (
            "Tôi mua lại mảnh đất của hàng xóm, đã công chứng hợp đồng, giờ sang tên sổ đỏ ở đâu?",
            "mua ban dat xong thi sang ten so do mat bao lau, phi truoc ba tinh the nao",
            "Sau khi ký hợp đồng chuyển nhượng đất thì đăng ký biến động ở cơ quan nào?",
        ),
        "sang tên sổ đỏ",
    ),
    Topic(
        "land-cert-lost",
        "SO-NNMT-HN",
        "dat-dai",
        HANOI,
        ("cấp lại sổ đỏ bị mất", "cấp lại giấy chứng nhận quyền sử dụng đất bị mất", "làm lại bìa đỏ bị thất lạc"),
        (
            "Nhà tôi bị cháy, mất hết giấy tờ trong đó có sổ đỏ, xin hỏi làm lại thế nào?",
            "toi lam mat so do, co phai dang bao mat khong, bao lau thi duoc cap lai",
            "Giấy chứng nhận quyền sử dụng đất bị thất lạc khi chuyển nhà, thủ tục cấp lại ra sao?",
        ),
        "cấp lại sổ đỏ bị mất",
    ),
    Topic(
        "land-inheritance",
        "SO-NNMT-HN",
        "dat-dai",
        HANOI,
        ("chia thừa kế đất đai", "sang tên sổ đỏ khi thừa kế", "khai nhận di sản thừa kế là quyền sử dụng đất"),
        (
            "Bố tôi mất không để lại di chúc, mấy anh em muốn chia mảnh đất và đứng tên thì làm sao?",
            "me toi mat, de lai dat cho 3 anh em, thu tuc thua ke dat nhu the nao",
            "Thừa kế nhà đất theo di chúc có phải nộp thuế thu nhập cá nhân không?",
        ),
        "thừa kế đất",
    ),
    Topic(
        "land-dispute",
        "UBND-P-HOANKIEM",
        "dat-dai",
        HOAN_KIEM,
        (
            "hòa giải tranh chấp đất đai",
            "tranh chấp ranh giới đất với hàng xóm",
            "giải quyết tranh chấp mốc giới thửa đất",
        ),
        (
            "Hàng xóm xây tường lấn sang đất nhà tôi gần nửa mét, tôi phải gửi đơn đến đâu?",
            "tranh chap ranh gioi dat voi nha ben canh, co phai hoa giai o phuong truoc khong",
            "Hai nhà cãi nhau về lối đi chung, phường có giải quyết không?",
        ),
        "tranh chấp đất với hàng xóm",
    ),
    Topic(
        "land-compensation",
        "BO-NNMT",
        "dat-dai",
        None,
        ("bồi thường khi nhà nước thu hồi đất", "giá đền bù giải phóng mặt bằng", "hỗ trợ tái định cư khi thu hồi đất"),
        (
            "Đất nông nghiệp nhà tôi bị thu hồi làm đường cao tốc, giá đền bù quá thấp so với thị trường.",
            "thu hoi dat lam du an ma chua duoc boi thuong, toi phai khieu nai o dau",
            "Khi giải phóng mặt bằng, hộ gia đình có được bố trí tái định cư không?",
        ),
        "đền bù thu hồi đất",
    ),
    Topic(
        "land-use-change",
        "SO-NNMT-HN",
        "dat-dai",
        HANOI,
        (
            "chuyển mục đích sử dụng đất từ đất nông nghiệp sang đất ở",
            "chuyển đất vườn lên thổ cư",
            "lên thổ cư cho đất trồng cây",
        ),
        (
            "Tôi có 200m2 đất vườn liền kề nhà, muốn chuyển lên đất ở để xây nhà cho con.",
            "chuyen dat trong cay lau nam sang dat o phai nop tien su dung dat bao nhieu",
            "Xin phép chuyển đất nông nghiệp sang đất thổ cư cần điều kiện gì?",
        ),
        "chuyển đất nông nghiệp sang đất ở",
    ),
    Topic(
        "pollution-factory",
        "SO-NNMT-HN",
        "moi-truong",
        HANOI,
        (
            "xưởng sản xuất xả khói gây ô nhiễm",
            "nhà máy xả khí thải gây ô nhiễm không khí",
            "khói bụi từ cơ sở sản xuất",
        ),
        (
            "Xưởng tái chế nhựa gần khu dân cư đốt rác ban đêm, khói đen mùi khét không ngủ được.",
            "nha may thep xa khoi bui suot ngay, tre con ho suot, de nghi kiem tra",
            "Cơ sở sản xuất gạch thủ công xả khói ra khu dân cư, xin cơ quan môi trường xử lý.",
        ),
        "ô nhiễm khói nhà máy",
    ),
    Topic(
        "pollution-waste",
        "SO-NNMT-HN",
        "moi-truong",
        HANOI,
        ("rác thải tập kết trái phép", "bãi rác tự phát gây mùi hôi", "đổ trộm rác thải ven đường"),
        (
            "Đầu ngõ nhà tôi thành bãi rác tự phát, mùi hôi thối, ruồi muỗi nhiều, ai chịu trách nhiệm?",
            "xe cho rac khong den thu gom 1 tuan nay, rac chat dong o dau ngo",
            "Có người đổ trộm phế thải xây dựng và rác ra bờ sông mỗi đêm.",
        ),
        "rác thải tập kết",
    ),
    Topic(
        "pollution-water",
        "SO-NNMT-HN",
        "moi-truong",
        HANOI,
        ("nước thải chảy ra sông", "xả nước thải chưa xử lý ra kênh", "ô nhiễm nguồn nước do nước thải"),
        (
            "Mương thoát nước sau nhà đen kịt, bốc mùi, nghi do cơ sở giết mổ xả thẳng ra.",
            "nuoc song bi o nhiem, ca chet hang loat sau khi khu cong nghiep xa thai",
            "Khu chăn nuôi lợn xả nước thải xuống kênh tưới tiêu của cả thôn.",
        ),
        "nước thải ô nhiễm",
    ),
    Topic(
        "noise-karaoke",
        "UBND-P-HOANKIEM",
        "moi-truong",
        HOAN_KIEM,
        ("tiếng ồn hát karaoke ban đêm", "hàng xóm hát karaoke gây ồn", "loa kẹo kéo gây ồn ào khu dân cư"),
        (
            "Nhà bên cạnh hát karaoke đến 12 giờ đêm, nhắc nhiều lần không được, tôi báo ai?",
            "hang xom mo loa keo keo het co moi toi, gia dinh co nguoi gia khong ngu duoc",
            "Quán karaoke trong ngõ mở nhạc to quá giờ quy định, đề nghị phường xử lý.",
        ),
        "karaoke gây ồn",
    ),
    Topic(
        "build-permit",
        "SO-XD-HN",
        "xay-dung",
        HANOI,
        ("xin giấy phép xây dựng nhà ở riêng lẻ", "cấp phép xây dựng nhà ở", "giấy phép xây nhà"),
        (
            "Tôi chuẩn bị xây nhà 4 tầng trên đất của mình, có cần xin giấy phép xây dựng không?",
            "xay nha o nong thon co phai xin giay phep khong, ho so gom nhung gi",
            "Sửa chữa, cơi nới thêm một tầng thì có phải xin phép lại không?",
        ),
        "giấy phép xây dựng nhà ở",
    ),
    Topic(
        "build-illegal",
        "UBND-P-HOANKIEM",
        "xay-dung",
        HOAN_KIEM,
        ("xây dựng trái phép không phép", "công trình xây sai phép lấn chiếm", "xây nhà không có giấy phép ở phường"),
        (
            "Nhà đối diện đang xây thêm tầng 5 không có biển báo giấy phép, đổ vật liệu ra đường.",
            "cong trinh xay dung sai phep, lan chiem via he, phuong khong xu ly",
            "Có người xây ki ốt trên đất công ở đầu phố, đề nghị kiểm tra trật tự xây dựng.",
        ),
        "xây dựng trái phép",
    ),
    Topic(
        "sidewalk",
        "UBND-P-HOANKIEM",
        "xay-dung",
        HOAN_KIEM,
        ("lấn chiếm vỉa hè kinh doanh", "chiếm vỉa hè để xe và bán hàng", "họp chợ trên vỉa hè"),
        (
            "Các quán ăn bày bàn ghế kín vỉa hè, người đi bộ phải xuống lòng đường.",
            "via he bi chiem het de trong xe, me con toi phai di duoi long duong",
            "Chợ cóc họp trên vỉa hè buổi sáng gây ùn tắc và mất vệ sinh.",
        ),
        "lấn chiếm vỉa hè",
    ),
    Topic(
        "apartment-fees",
        "SO-XD-HN",
        "xay-dung",
        HANOI,
        ("phí dịch vụ chung cư tăng", "ban quản trị chung cư thu phí bảo trì", "tranh chấp quỹ bảo trì chung cư"),
        (
            "Chủ đầu tư chưa bàn giao quỹ bảo trì 2% cho ban quản trị tòa nhà, cư dân phải làm gì?",
            "phi dich vu chung cu tang gap doi ma khong hop cu dan, co dung quy dinh khong",
            "Ban quản trị chung cư không công khai thu chi kinh phí bảo trì.",
        ),
        "quỹ bảo trì chung cư",
    ),
    Topic(
        "tuition-exemption",
        "BO-GDDT",
        "giao-duc",
        None,
        ("miễn giảm học phí", "hỗ trợ học phí cho học sinh nghèo", "chế độ miễn học phí"),
        (
            "Con tôi là hộ cận nghèo, học lớp 10 trường công lập, có được miễn học phí không?",
            "hoc sinh dan toc thieu so vung kho khan co duoc giam hoc phi khong",
            "Gia đình chính sách thì con đi học được hỗ trợ tiền học như thế nào?",
        ),
        "miễn giảm học phí",
    ),
    Topic(
        "school-enrolment",
        "BO-GDDT",
        "giao-duc",
        None,
        ("tuyển sinh vào lớp 10", "thi vào lớp 10 công lập", "đăng ký nguyện vọng vào lớp 10"),
        (
            "Năm nay thi vào 10 có mấy môn, điểm ưu tiên con thương binh cộng thế nào?",
            "con toi muon doi nguyen vong vao lop 10 sau khi da nop ho so duoc khong",
            "Học sinh có hộ khẩu tỉnh khác có được dự tuyển vào trường công lập ở Hà Nội?",
        ),
        "tuyển sinh lớp 10",
    ),
    Topic(
        "textbooks",
        "BO-GDDT",
        "giao-duc",
        None,
        ("giá sách giáo khoa mới", "mua sách giáo khoa theo chương trình mới", "sách giáo khoa đắt"),
        (
            "Mỗi năm phải mua bộ sách giáo khoa mới cho con, không dùng lại được sách của anh chị.",
            "sach giao khoa lop 1 nam nay gia bao nhieu, sao dat the",
            "Nhà trường bắt mua cả sách tham khảo kèm sách giáo khoa có đúng không?",
        ),
        "sách giáo khoa",
    ),
    Topic(
        "extra-classes",
        "BO-GDDT",
        "giao-duc",
        None,
        ("dạy thêm học thêm", "giáo viên ép học thêm", "thu tiền học thêm ngoài giờ"),
        (
            "Cô chủ nhiệm gợi ý cả lớp đi học thêm ở nhà cô, ai không đi thì bị điểm kém.",
            "quy dinh moi ve day them hoc them co cam giao vien day them hoc sinh cua minh khong",
            "Trường thu tiền học thêm buổi chiều bắt buộc với tất cả học sinh.",
        ),
        "dạy thêm học thêm",
    ),
    Topic(
        "birth-registration",
        "UBND-P-HOANKIEM",
        "thu-tuc-hanh-chinh",
        HOAN_KIEM,
        ("đăng ký khai sinh cho con", "làm giấy khai sinh cho trẻ mới sinh", "khai sinh cho bé"),
        (
            "Vợ chồng tôi vừa sinh cháu, chưa đăng ký kết hôn, có làm giấy khai sinh cho con được không?",
            "dang ky khai sinh online tren cong dich vu cong co duoc khong, bao lau co ket qua",
            "Con tôi được 3 tháng mà chưa làm khai sinh, có bị phạt không?",
        ),
        "đăng ký khai sinh",
    ),
    Topic(
        "marriage-registration",
        "UBND-P-HOANKIEM",
        "thu-tuc-hanh-chinh",
        HOAN_KIEM,
        ("đăng ký kết hôn", "làm giấy đăng ký kết hôn", "xác nhận tình trạng hôn nhân để kết hôn"),
        (
            "Tôi và bạn gái khác tỉnh, muốn đăng ký kết hôn thì làm ở phường nào?",
            "giay xac nhan tinh trang hon nhan de ket hon lay o dau",
            "Đăng ký kết hôn với người nước ngoài cần giấy tờ gì?",
        ),
        "đăng ký kết hôn",
    ),
    Topic(
        "residence",
        "UBND-P-HOANKIEM",
        "thu-tuc-hanh-chinh",
        HOAN_KIEM,
        ("đăng ký thường trú", "nhập hộ khẩu", "đăng ký tạm trú cho người thuê nhà"),
        (
            "Không còn sổ hộ khẩu giấy thì xác nhận nơi cư trú để làm thủ tục ở đâu?",
            "thue nha o ha noi co phai dang ky tam tru khong, lam online duoc khong",
            "Con tôi mới sinh muốn nhập khẩu theo bố thì làm như thế nào?",
        ),
        "đăng ký thường trú",
    ),
    Topic(
        "certified-copy",
        "UBND-P-HOANKIEM",
        "thu-tuc-hanh-chinh",
        HOAN_KIEM,
        ("chứng thực bản sao", "công chứng photo giấy tờ ở phường", "chứng thực chữ ký"),
        (
            "Phường có chứng thực bản sao căn cước vào thứ bảy không, lệ phí bao nhiêu một trang?",
            "chung thuc ban sao bang dai hoc o phuong hay phai ra phong cong chung",
            "Chứng thực chữ ký trên giấy ủy quyền làm ở đâu?",
        ),
        "chứng thực bản sao",
    ),
    Topic(
        "social-allowance",
        "UBND-HN",
        "khac",
        HANOI,
        (
            "trợ cấp xã hội cho người cao tuổi",
            "chế độ trợ cấp cho người già neo đơn",
            "trợ cấp hằng tháng cho người khuyết tật",
        ),
        (
            "Mẹ tôi 80 tuổi, không có lương hưu, có được nhận trợ cấp hằng tháng không?",
            "nguoi khuyet tat nang duoc tro cap bao nhieu mot thang, lam ho so o dau",
            "Người già sống một mình không có người chăm sóc được nhà nước hỗ trợ gì?",
        ),
        "trợ cấp người cao tuổi",
    ),
    Topic(
        "business-registration",
        "UBND-HN",
        "thu-tuc-hanh-chinh",
        HANOI,
        ("đăng ký hộ kinh doanh", "thành lập doanh nghiệp", "giấy phép kinh doanh cho cửa hàng"),
        (
            "Tôi mở quán cà phê nhỏ tại nhà, có phải đăng ký hộ kinh doanh không?",
            "thu tuc thanh lap cong ty tnhh mot thanh vien gom nhung buoc nao",
            "Bán hàng online có cần giấy phép kinh doanh không?",
        ),
        "đăng ký hộ kinh doanh",
    ),
    Topic(
        "road-damage",
        "SO-XD-HN",
        "giao-thong",
        HANOI,
        ("đường bị sụt lún ổ gà", "mặt đường hư hỏng xuống cấp", "ổ gà trên đường gây nguy hiểm"),
        (
            "Đoạn đường trước cổng trường có ổ gà rất sâu, trời mưa nhiều người ngã xe.",
            "duong vao lang bi sut lun, xe tai di qua rung ca nha, de nghi sua chua",
            "Nắp cống trên đường bị vỡ từ lâu mà không ai thay, rất nguy hiểm.",
        ),
        "đường hư hỏng ổ gà",
    ),
    Topic(
        "traffic-lights",
        "SO-XD-HN",
        "giao-thong",
        HANOI,
        ("đèn tín hiệu giao thông bị hỏng", "đèn xanh đèn đỏ không hoạt động", "lắp đèn giao thông tại ngã tư"),
        (
            "Ngã tư gần chợ đông xe mà không có đèn tín hiệu, sáng nào cũng ùn tắc.",
            "den giao thong o nga tu bi hong 3 ngay roi chua sua",
            "Thời gian đèn đỏ quá dài ở nút giao, đề nghị điều chỉnh chu kỳ đèn.",
        ),
        "đèn giao thông hỏng",
    ),
    Topic(
        "streetlights",
        "UBND-P-BADINH",
        "giao-thong",
        HANOI,
        ("đèn chiếu sáng công cộng bị hỏng", "ngõ tối không có đèn đường", "đèn đường không sáng"),
        (
            "Ngõ nhà tôi đèn đường hỏng cả tháng, tối đi về rất sợ, có mấy vụ giật túi.",
            "den duong trong ngo khong sang, bao phuong nhieu lan roi",
            "Đề nghị lắp thêm đèn chiếu sáng cho con ngõ dài 300 mét tối om.",
        ),
        "đèn đường hỏng",
    ),
    Topic(
        "drivers-licence",
        "SO-XD-HN",
        "giao-thong",
        HANOI,
        ("đổi giấy phép lái xe", "cấp đổi bằng lái xe ô tô", "gia hạn bằng lái xe hết hạn"),
        (
            "Bằng lái ô tô của tôi sắp hết hạn, đổi online được không hay phải lên sở?",
            "doi bang lai xe may tu giay sang the pet co bat buoc khong",
            "Bằng lái xe quá hạn 4 tháng thì có phải thi lại không?",
        ),
        "đổi bằng lái xe",
    ),
    Topic(
        "health-insurance",
        "UBND-HN",
        "y-te",
        HANOI,
        ("thẻ bảo hiểm y tế", "cấp lại thẻ bảo hiểm y tế bị mất", "mua bảo hiểm y tế hộ gia đình"),
        (
            "Thẻ BHYT của con tôi hết hạn, gia hạn ở đâu và mức đóng bao nhiêu?",
            "bao hiem y te ho gia dinh nam nay dong bao nhieu tien mot nguoi",
            "Đi khám trái tuyến có được bảo hiểm y tế chi trả không?",
        ),
        "bảo hiểm y tế",
    ),
    Topic(
        "hospital-service",
        "UBND-HN",
        "y-te",
        HANOI,
        ("thái độ nhân viên bệnh viện", "chờ khám bệnh quá lâu ở bệnh viện", "bệnh viện thu thêm tiền ngoài"),
        (
            "Mẹ tôi đi khám ở bệnh viện huyện phải chờ từ sáng đến chiều, nhân viên quát tháo.",
            "benh vien bat mua thuoc ben ngoai du thuoc co trong danh muc bao hiem",
            "Điều dưỡng đòi tiền bồi dưỡng mới chăm sóc bệnh nhân chu đáo.",
        ),
        "chờ khám bệnh lâu",
    ),
    Topic(
        "food-safety",
        "UBND-HN",
        "y-te",
        HANOI,
        ("an toàn thực phẩm ở bếp ăn trường học", "ngộ độc thực phẩm", "cơ sở bán thực phẩm bẩn"),
        (
            "Nhiều học sinh bị đau bụng sau bữa trưa ở bếp ăn bán trú, đề nghị kiểm tra.",
            "cho ban thit lon khong ro nguon goc, khong co dau kiem dich",
            "Quán ăn dùng dầu chiên đi chiên lại nhiều lần, vệ sinh bẩn.",
        ),
        "an toàn thực phẩm",
    ),
    Topic(
        "flooding",
        "SO-XD-HN",
        "moi-truong",
        HANOI,
        ("ngập úng khi mưa lớn", "đường ngập nước sau mưa", "hệ thống thoát nước bị tắc"),
        (
            "Cứ mưa to là phố tôi ngập đến đầu gối, nước tràn vào nhà, cống thoát nước tắc.",
            "mua 30 phut la ngap, xe chet may hang loat, bao gio moi chong ngap",
            "Đề nghị nạo vét cống rãnh vì mỗi trận mưa khu dân cư lại ngập.",
        ),
        "ngập úng khi mưa",
    ),
    Topic(
        "tree-fall",
        "UBND-P-BADINH",
        "moi-truong",
        HANOI,
        ("cây xanh có nguy cơ đổ", "cắt tỉa cây xanh đường phố", "cây cổ thụ mục gốc"),
        (
            "Cây xà cừ to trước nhà bị mục gốc, nghiêng hẳn về phía nhà dân, mùa bão rất sợ.",
            "cay xanh tren via he vuong day dien, de nghi cat tia",
            "Cành cây gãy treo lơ lửng trên đường sau cơn bão, chưa ai dọn.",
        ),
        "cây xanh nguy cơ đổ",
    ),
    Topic(
        "pension",
        "UBND-HN",
        "khac",
        HANOI,
        ("chế độ lương hưu", "rút bảo hiểm xã hội một lần", "thời gian đóng bảo hiểm xã hội để hưởng lương hưu"),
        (
            "Tôi đóng bảo hiểm xã hội được 12 năm, nghỉ việc rồi, có nên rút một lần không?",
            "dong bhxh bao nhieu nam thi duoc nhan luong huu theo luat moi",
            "Lương hưu tháng này chậm chi trả, hỏi bảo hiểm xã hội quận không ai trả lời.",
        ),
        "lương hưu bảo hiểm xã hội",
    ),
    Topic(
        "fraud-calls",
        "VPCP-TIEPNHAN",
        "khac",
        None,
        ("cuộc gọi lừa đảo giả danh công an", "tin nhắn lừa đảo mạo danh ngân hàng", "bị lừa chuyển tiền qua mạng"),
        (
            "Có người gọi tự xưng công an bảo tôi liên quan vụ án, yêu cầu chuyển tiền để xác minh.",
            "nhan tin nhan gia mao ngan hang, bam vao link bi mat 20 trieu",
            "Mẹ tôi bị lừa mua hàng qua mạng, chuyển tiền rồi không nhận được hàng.",
        ),
        "lừa đảo giả danh công an",
    ),
    Topic(
        "officials-conduct",
        "VPCP-TIEPNHAN",
        "khac",
        None,
        ("cán bộ gây khó dễ khi làm thủ tục", "cán bộ nhũng nhiễu đòi tiền", "thái độ cán bộ một cửa"),
        (
            "Làm thủ tục ở bộ phận một cửa bị trả hồ sơ 3 lần, mỗi lần bảo thiếu một thứ khác nhau.",
            "can bo dia chinh doi tien moi giai quyet ho so nhanh",
            "Cán bộ tiếp dân nói năng cộc cằn, không hướng dẫn gì mà chỉ bảo về chờ.",
        ),
        "cán bộ nhũng nhiễu",
    ),
    Topic(
        "id-card",
        "UBND-P-HOANKIEM",
        "thu-tuc-hanh-chinh",
        HOAN_KIEM,
        ("làm căn cước công dân", "cấp đổi thẻ căn cước", "làm căn cước cho trẻ em"),
        (
            "Con tôi 10 tuổi có cần làm thẻ căn cước không, làm ở đâu?",
            "the can cuoc cong dan cu con dung duoc khong hay phai doi the moi",
            "Mất thẻ căn cước thì làm lại ở công an phường hay ở tỉnh?",
        ),
        "làm căn cước công dân",
    ),
    Topic(
        "agri-support",
        "BO-NNMT",
        "khac",
        None,
        (
            "hỗ trợ nông dân khi thiên tai mất mùa",
            "bồi thường thiệt hại cây trồng do bão",
            "hỗ trợ giống cây trồng sau lũ",
        ),
        (
            "Lúa nhà tôi bị ngập trắng sau bão, mất trắng cả vụ, nhà nước có hỗ trợ không?",
            "ho tro thiet hai cay trong do lu lut duoc bao nhieu tien mot hecta",
            "Dịch tả lợn châu Phi làm đàn lợn chết hết, người chăn nuôi được hỗ trợ ra sao?",
        ),
        "hỗ trợ thiệt hại do bão lũ",
    ),
    Topic(
        "electricity-bill",
        "VPCP-TIEPNHAN",
        "khac",
        None,
        ("hóa đơn tiền điện tăng bất thường", "giá điện bậc thang", "tiền điện tháng này cao gấp đôi"),
        (
            "Tháng này nhà tôi dùng như mọi khi mà tiền điện tăng gấp đôi, nghi công tơ chạy sai.",
            "gia dien bac thang tinh the nao, sao hoa don thang 6 cao vay",
            "Đề nghị kiểm tra công tơ điện vì chỉ số tăng bất thường.",
        ),
        "tiền điện tăng",
    ),
    Topic(
        "stray-dogs",
        "UBND-P-BADINH",
        "khac",
        HANOI,
        ("chó thả rông không rọ mõm", "chó cắn người trong khu dân cư", "nuôi chó không tiêm phòng dại"),
        (
            "Nhà hàng xóm thả chó ra đường không rọ mõm, con tôi bị cắn phải đi tiêm phòng dại.",
            "cho tha rong tren via he, phong uong bua bai, phuong co xu phat khong",
            "Trong khu tập thể nhiều người nuôi chó to thả rông, trẻ con không dám ra sân.",
        ),
        "chó thả rông",
    ),
)


def _variants(topic: Topic) -> list[tuple[str, bool]]:
    rng = random.Random(topic.key)  # deterministic per topic
    generated = []
    frames = list(FRAMES)
    rng.shuffle(frames)
    for i, phrasing in enumerate(topic.phrasings):
        for frame in frames[2 * i : 2 * i + 2]:
            generated.append(frame.format(p=phrasing))
    rows = [(text, False) for text in (*topic.written, *generated)]
    # People type without diacritics on phones: one generated question in four, folded.
    return [
        (vn_fold(text), True) if i % 4 == 3 and not text.isascii() else (text, ascii_)
        for i, (text, ascii_) in enumerate(rows)
    ]


def questions() -> list[Question]:
    """Every question of every topic (9 a topic), in a fixed order."""
    out = []
    for topic in TOPICS:
        for text, folded in _variants(topic):
            out.append(Question(text, topic.key, topic.agency, topic.category, topic.area, folded or text.isascii()))
    return out


def search_queries() -> list[tuple[str, str]]:
    """(query, topic) pairs: each topic's short query as typed, and folded."""
    pairs = []
    for topic in TOPICS:
        pairs.append((topic.query, topic.key))
        pairs.append((vn_fold(topic.query), topic.key))
    return pairs


def topic(key: str) -> Topic:
    return next(t for t in TOPICS if t.key == key)
