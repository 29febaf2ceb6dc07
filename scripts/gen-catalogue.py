#!/usr/bin/env python3
"""Generate a synthetic procedure catalogue for benchmarks (same schema as config/catalogue/, see docs/catalogue.md).

Usage:
  scripts/gen-catalogue.py N OUT [--seed S] [--per-file K]

N      number of procedures (1 .. 7,000,000); e.g. 6000 for the benchmark.
OUT    a path ending in .json: one file holding all procedures;
       otherwise a directory: files synthetic-001.json, synthetic-002.json, ... of K procedures each (default 500).
--seed deterministic output for a given seed (default 1).

Names are recombined from Vietnamese actions, objects, subjects and qualifiers, so they read like real procedures
("Cấp lại giấy phép kinh doanh karaoke cho hộ kinh doanh có vốn đầu tư nước ngoài"); every procedure is unique by
name and by code (codes 3.000000 - 9.999999, never colliding with the hand-written sample catalogue, whose codes start
with 1 or 2), carries "sample_data": true, and passes scripts/check-catalogue.py --strict.
Python 3 standard library only.
"""
import json
import os
import random
import sys
import unicodedata

# field slug -> (field name, agency, level, legal bases, objects (name, abbreviation or None))
FIELDS = [
    ("cong-thuong", "Công thương", "Sở Công Thương", "tinh",
     ["Luật Thương mại số 36/2005/QH11", "Nghị định số 09/2018/NĐ-CP (mẫu)"],
     [("giấy phép kinh doanh rượu", "gpkd ruou"), ("giấy phép bán lẻ thuốc lá", None),
      ("giấy chứng nhận đủ điều kiện kinh doanh xăng dầu", None), ("giấy phép hoạt động điện lực", "gphd dien luc"),
      ("giấy chứng nhận đủ điều kiện an toàn thực phẩm", "attp"), ("giấy phép sản xuất hóa chất", None)]),
    ("van-hoa", "Văn hóa, thể thao, du lịch", "Sở Văn hóa, Thể thao và Du lịch", "tinh",
     ["Luật Du lịch số 09/2017/QH14", "Nghị định số 54/2019/NĐ-CP (mẫu)"],
     [("giấy phép kinh doanh karaoke", None), ("giấy phép kinh doanh dịch vụ lữ hành nội địa", "gp lu hanh"),
      ("thẻ hướng dẫn viên du lịch", "the hdv"), ("giấy phép tổ chức biểu diễn nghệ thuật", None),
      ("giấy chứng nhận cơ sở lưu trú du lịch", None), ("giấy phép quảng cáo ngoài trời", None)]),
    ("y-te", "Y tế", "Sở Y tế", "tinh",
     ["Luật Khám bệnh, chữa bệnh số 15/2023/QH15", "Luật Dược số 105/2016/QH13"],
     [("chứng chỉ hành nghề khám bệnh, chữa bệnh", "cchn kcb"), ("giấy phép hoạt động phòng khám", None),
      ("chứng chỉ hành nghề dược", "cchn duoc"), ("giấy chứng nhận đủ điều kiện kinh doanh dược", None),
      ("giấy phép hoạt động nhà thuốc", None), ("giấy xác nhận nội dung quảng cáo thực phẩm", None)]),
    ("giao-duc", "Giáo dục và đào tạo", "Sở Giáo dục và Đào tạo", "tinh",
     ["Luật Giáo dục số 43/2019/QH14"],
     [("giấy phép hoạt động trung tâm ngoại ngữ", "gp ngoai ngu"), ("giấy phép thành lập trường mầm non tư thục", None),
      ("chứng chỉ giáo viên", None), ("giấy phép dạy thêm", None), ("quyết định cho phép hoạt động giáo dục", None)]),
    ("nong-nghiep", "Nông nghiệp và phát triển nông thôn", "Sở Nông nghiệp và Phát triển nông thôn", "tinh",
     ["Luật Trồng trọt số 31/2018/QH14", "Luật Chăn nuôi số 32/2018/QH14"],
     [("giấy chứng nhận cơ sở đủ điều kiện chăn nuôi", None), ("giấy phép khai thác thủy sản", "gp khai thac"),
      ("giấy chứng nhận kiểm dịch động vật", None), ("giấy chứng nhận đủ điều kiện buôn bán phân bón", None),
      ("giấy chứng nhận kinh tế trang trại", None), ("giấy phép vận chuyển lâm sản", None)]),
    ("tai-nguyen", "Tài nguyên và môi trường", "Sở Tài nguyên và Môi trường", "tinh",
     ["Luật Bảo vệ môi trường số 72/2020/QH14", "Luật Tài nguyên nước số 28/2023/QH15"],
     [("giấy phép môi trường", "gpmt"), ("giấy phép khai thác nước dưới đất", None),
      ("giấy phép xả nước thải vào nguồn nước", None), ("giấy phép thăm dò khoáng sản", None),
      ("đăng ký môi trường", None)]),
    ("giao-thong", "Đường bộ", "Sở Giao thông vận tải", "tinh",
     ["Luật Trật tự, an toàn giao thông đường bộ số 36/2024/QH15"],
     [("giấy phép kinh doanh vận tải bằng xe ô tô", "gpkd van tai"), ("phù hiệu xe taxi", None),
      ("giấy phép lưu hành xe quá tải", None), ("chứng chỉ đào tạo lái xe", None), ("biển hiệu xe du lịch", None)]),
    ("xay-dung", "Hoạt động xây dựng", "Sở Xây dựng", "tinh",
     ["Luật Xây dựng số 50/2014/QH13", "Nghị định số 15/2021/NĐ-CP"],
     [("chứng chỉ hành nghề hoạt động xây dựng", "cchn xay dung"), ("chứng chỉ năng lực hoạt động xây dựng", None),
      ("giấy phép xây dựng công trình quảng cáo", None), ("giấy phép di dời công trình", None),
      ("thông báo khởi công xây dựng", None)]),
    ("lao-dong", "Lao động, việc làm", "Sở Lao động - Thương binh và Xã hội", "tinh",
     ["Bộ luật Lao động số 45/2019/QH14"],
     [("giấy phép hoạt động dịch vụ việc làm", None), ("giấy phép cho thuê lại lao động", None),
      ("chứng nhận đăng ký hoạt động giáo dục nghề nghiệp", None), ("thỏa ước lao động tập thể", None),
      ("nội quy lao động", None)]),
    ("bao-tro-xa-hoi", "Bảo trợ xã hội", "UBND cấp huyện (Phòng Lao động - Thương binh và Xã hội)", "huyen",
     ["Nghị định số 20/2021/NĐ-CP về chính sách trợ giúp xã hội (mẫu)"],
     [("trợ cấp xã hội hằng tháng", "tcxh"), ("hỗ trợ chi phí mai táng", None), ("trợ cấp người khuyết tật", None),
      ("hỗ trợ khẩn cấp khi bị thiệt hại nhà ở", None), ("chế độ người có công", None)]),
    ("tu-phap", "Tư pháp", "Sở Tư pháp", "tinh",
     ["Luật Công chứng số 46/2024/QH15", "Luật Luật sư số 65/2006/QH11"],
     [("thẻ công chứng viên", None), ("giấy đăng ký hoạt động văn phòng công chứng", None),
      ("chứng chỉ hành nghề luật sư", "cchn luat su"), ("giấy đăng ký hoạt động tổ chức hành nghề luật sư", None),
      ("thẻ giám định viên tư pháp", None)]),
    ("tai-chinh", "Tài chính", "Sở Tài chính", "tinh",
     ["Luật Ngân sách nhà nước số 83/2015/QH13"],
     [("mã số đơn vị có quan hệ với ngân sách", "ma qhns"), ("quyết định thanh lý tài sản công", None),
      ("phương án giá", None), ("đăng ký giá", None)]),
    ("noi-vu", "Nội vụ", "Sở Nội vụ", "tinh",
     ["Luật Tín ngưỡng, tôn giáo số 02/2016/QH14"],
     [("đăng ký sinh hoạt tôn giáo tập trung", None), ("giấy phép thành lập hội", None),
      ("công nhận quỹ xã hội, quỹ từ thiện", None), ("đăng ký hoạt động tín ngưỡng", None)]),
    ("thong-tin", "Thông tin và truyền thông", "Sở Thông tin và Truyền thông", "tinh",
     ["Luật Báo chí số 103/2016/QH13", "Luật Xuất bản số 19/2012/QH13"],
     [("giấy phép xuất bản bản tin", None), ("giấy phép thiết lập trang thông tin điện tử tổng hợp", "gp website"),
      ("giấy xác nhận đăng ký hoạt động in", None), ("giấy phép nhập khẩu xuất bản phẩm", None)]),
    ("ho-tich-xa", "Hộ tịch", "UBND cấp xã", "xa",
     ["Luật Hộ tịch số 60/2014/QH13"],
     [("trích lục hộ tịch", None), ("giấy xác nhận nhân thân", None), ("giấy xác nhận hoàn cảnh gia đình", None),
      ("giấy giới thiệu vay vốn", None)]),
    ("quoc-phong", "Nghĩa vụ quân sự", "Ban Chỉ huy quân sự cấp huyện", "huyen",
     ["Luật Nghĩa vụ quân sự số 78/2015/QH13"],
     [("giấy chứng nhận đăng ký nghĩa vụ quân sự", "dk nvqs"), ("quyết định tạm hoãn gọi nhập ngũ", None),
      ("giấy xác nhận quân nhân xuất ngũ", None)]),
]
ACTIONS = [("Cấp", "cap"), ("Cấp lại", "cap lai"), ("Cấp đổi", "cap doi"), ("Gia hạn", "gia han"),
           ("Điều chỉnh", "dieu chinh"), ("Đăng ký", "dang ky"), ("Xác nhận", "xac nhan"), ("Thu hồi", "thu hoi"),
           ("Công nhận", "cong nhan"), ("Thẩm định hồ sơ đề nghị cấp", "tham dinh"), ("Bổ sung nội dung", "bo sung"),
           ("Chấm dứt hiệu lực", "cham dut")]
SUBJECTS = ["", " cho cá nhân", " cho tổ chức", " cho hộ kinh doanh", " cho doanh nghiệp nhỏ và vừa",
            " cho hợp tác xã", " cho người nước ngoài", " cho đơn vị sự nghiệp công lập"]
QUALIFIERS = ["", " do bị mất, hỏng", " do thay đổi thông tin", " có vốn đầu tư nước ngoài",
              " trên địa bàn khu kinh tế", " tại khu công nghiệp", " theo thủ tục rút gọn", " khi hết thời hạn"]
DOC_POOL = ["Đơn đề nghị theo mẫu", "Tờ khai theo mẫu", "Bản sao giấy chứng nhận đăng ký doanh nghiệp",
            "Bản sao thẻ căn cước của người đại diện", "Văn bản ủy quyền", "Báo cáo hoạt động năm gần nhất",
            "Giấy tờ chứng minh đủ điều kiện về cơ sở vật chất", "Danh sách nhân sự kèm văn bằng, chứng chỉ",
            "Giấy phép đã được cấp", "Bản thuyết minh phương án", "Ảnh chụp hiện trạng", "Biên bản kiểm tra thực tế"]
STEP_POOL = ["Nộp hồ sơ trực tiếp, qua bưu chính hoặc trực tuyến trên Cổng Dịch vụ công.",
             "Cơ quan tiếp nhận kiểm tra tính đầy đủ của hồ sơ; thiếu thì hướng dẫn bổ sung một lần.",
             "Thẩm định hồ sơ, kiểm tra thực tế khi cần.",
             "Lấy ý kiến cơ quan liên quan trong trường hợp cần thiết.",
             "Người có thẩm quyền ký kết quả; trả kết quả trực tiếp, qua bưu chính hoặc bản điện tử."]


def fold(s):
    s = unicodedata.normalize("NFD", s.lower()).replace("\u0111", "d")
    return " ".join("".join(c for c in s if unicodedata.category(c) != "Mn").split())


def make(rng, code, field, action, obj, subject, qual):
    slug, fname, agency, level, legal, _ = field
    oname, abbr = obj
    name = "%s %s%s%s" % (action[0], oname, subject, qual)
    aliases, seen = [], set()

    def add(a):
        a = " ".join(a.lower().split())
        if a and fold(a) not in seen and len(a) <= 60 and len(aliases) < 8:
            seen.add(fold(a))
            aliases.append(a)
    add(oname)
    add("%s %s" % (action[1], fold(oname)))
    add("thu tuc %s %s" % (action[1], fold(oname)))
    if abbr:
        add(abbr)
        add("%s %s" % (action[1], abbr))
    if qual:
        add("%s %s" % (fold(oname), fold(qual)))
    if subject:
        add("%s %s" % (fold(oname), fold(subject)))
    words = fold(oname).replace(",", "").split()
    for k in (5, 4, 3):            # long object names: shorter colloquial forms ("cap giay phep khai thac nuoc")
        if len(aliases) >= 3:
            break
        add("%s %s" % (action[1], " ".join(words[:k])))
    online = rng.choice([2, 3, 4, 4])
    channels = ["direct", "postal"] + (["online"] if online >= 3 else [])
    days = rng.choice([0, 3, 5, 7, 10, 15, 20, 30])
    fee = rng.choice([0, 0, 50000, 100000, 150000, 200000, 500000, 1000000])
    docs = rng.sample(DOC_POOL, rng.randint(2, 6))
    return {
        "code": code, "name": name, "short_name": fold("%s %s" % (action[0], oname))[:40].strip(),
        "aliases": aliases, "field": fname, "level": level, "agency": agency,
        "documents": [{"name": d, "originals": rng.choice([1, 1, 2]), "copies": rng.choice([0, 0, 1])} for d in docs],
        "steps": rng.sample(STEP_POOL[:2], 2) if days == 0 else STEP_POOL[:rng.randint(2, 5)],
        "processing_time": {"days": days, "working_days": True,
                            "text": "Trong ngày làm việc." if days == 0 else "%02d ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ." % days},
        "fees": [{"amount_vnd": fee, "text": "Không thu lệ phí" if fee == 0 else "%s đồng/hồ sơ" % format(fee, ",").replace(",", ".")}],
        "channels": channels, "online_level": online, "legal_basis": list(legal[:2]),
        "result": "Kết quả: %s" % oname, "sample_data": True,
    }


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    opts = dict(a[2:].split("=", 1) if "=" in a else (a[2:], None) for a in argv if a.startswith("--"))
    # also accept "--seed 5" / "--per-file 100"
    for key in ("seed", "per-file"):
        if key in opts and opts[key] is None:
            i = argv.index("--" + key)
            if i + 1 < len(argv):
                opts[key] = argv[i + 1]
                args.remove(argv[i + 1])
    if "help" in opts or len(args) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 0 if "help" in opts else 2
    try:
        n = int(args[0])
        seed = int(opts.get("seed") or 1)
        per_file = int(opts.get("per-file") or 500)
    except ValueError:
        print("N, --seed and --per-file must be integers", file=sys.stderr)
        return 2
    if not 1 <= n <= 7000000 or per_file < 1:
        print("N must be between 1 and 7000000, --per-file at least 1", file=sys.stderr)
        return 2
    out = args[1]
    rng = random.Random(seed)
    combos = len(ACTIONS) * sum(len(f[5]) for f in FIELDS) * len(SUBJECTS) * len(QUALIFIERS)
    codes = rng.sample(range(3000000, 10000000), n)
    procs, names = [], set()
    for i in range(n):
        while True:
            f = rng.choice(FIELDS)
            name_parts = (rng.choice(ACTIONS), rng.choice(f[5]), rng.choice(SUBJECTS), rng.choice(QUALIFIERS))
            key = (f[0],) + tuple(x if isinstance(x, str) else x[0] for x in name_parts)
            if key not in names or len(names) >= combos:
                break
        c = codes[i]
        p = make(rng, "%d.%06d" % (c // 1000000, c % 1000000), f, *name_parts)
        if key in names:      # combinations exhausted: keep names unique with a suffix
            p["name"] += " (mẫu %d)" % i
        names.add(key)
        procs.append(p)
    desc = "Synthetic catalogue generated by scripts/gen-catalogue.py %d (seed %d) for benchmarks; not real procedures." % (n, seed)
    if out.endswith(".json"):
        d = os.path.dirname(out)
        if d:
            os.makedirs(d, exist_ok=True)
        chunks = [(out, procs)]
    else:
        os.makedirs(out, exist_ok=True)
        chunks = [(os.path.join(out, "synthetic-%03d.json" % (k // per_file + 1)), procs[k:k + per_file])
                  for k in range(0, n, per_file)]
    for path, part in chunks:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump({"sample_data": True, "description": desc, "procedures": part}, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
    print("wrote %d procedures to %d file(s) under %s" % (n, len(chunks), out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
