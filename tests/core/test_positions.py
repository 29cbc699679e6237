"""Issue 29: a position and its agency as an office writes them, the agency never said twice.

The positions are those officials hold in a province's agencies (Luật Tổ chức chính quyền địa phương 2025 for the
People's Committees' Chủ tịch and Phó Chủ tịch; Nghị định 45/2025/NĐ-CP for the departments' Giám đốc and Chánh
Văn phòng, Chánh Thanh tra; the civil-service ranks Chuyên viên, Văn thư), as people type them at registration."""

from __future__ import annotations

import re

import pytest

from core import messages
from core.messages import position_at

CASES = [
    # (position as typed, agency, as written)
    ("Chủ tịch UBND phường", "Ủy ban nhân dân phường Minh Xuân", "Chủ tịch Ủy ban nhân dân phường Minh Xuân"),
    ("Chủ tịch UBND phường Minh Xuân", "Ủy ban nhân dân phường Minh Xuân", "Chủ tịch Ủy ban nhân dân phường Minh Xuân"),
    ("Phó Chủ tịch UBND xã", "Ủy ban nhân dân xã Thượng Lâm", "Phó Chủ tịch Ủy ban nhân dân xã Thượng Lâm"),
    ("Phó Chủ tịch", "Ủy ban nhân dân xã Thượng Lâm", "Phó Chủ tịch Ủy ban nhân dân xã Thượng Lâm"),
    ("Chủ tịch Ủy ban nhân dân", "Ủy ban nhân dân phường Hà Giang 1", "Chủ tịch Ủy ban nhân dân phường Hà Giang 1"),
    ("Chánh Thanh tra tỉnh", "Thanh tra tỉnh", "Chánh Thanh tra tỉnh"),
    ("Chánh Thanh tra", "Thanh tra tỉnh", "Chánh Thanh tra tỉnh"),
    ("Chánh Văn phòng", "Văn phòng Ủy ban nhân dân tỉnh", "Chánh Văn phòng Ủy ban nhân dân tỉnh"),
    ("Chánh Văn phòng Văn phòng UBND tỉnh", "Văn phòng Ủy ban nhân dân tỉnh", "Chánh Văn phòng Ủy ban nhân dân tỉnh"),
    ("Giám đốc Sở", "Sở Tư pháp", "Giám đốc Sở Tư pháp"),
    ("Giám đốc", "Sở Tư pháp", "Giám đốc Sở Tư pháp"),
    ("Phó Giám đốc Sở Tư pháp", "Sở Tư pháp", "Phó Giám đốc Sở Tư pháp"),
    ("Chánh Văn phòng Sở", "Sở Nội vụ", "Chánh Văn phòng Sở Nội vụ"),
    ("Trưởng phòng Tổ chức cán bộ", "Sở Nội vụ", "Trưởng phòng Tổ chức cán bộ Sở Nội vụ"),
    ("Chuyên viên", "Sở Y tế", "Chuyên viên Sở Y tế"),
    ("Chuyên viên Văn phòng Sở", "Sở Tư pháp", "Chuyên viên Văn phòng Sở Tư pháp"),
    ("Văn thư", "Sở Tài chính", "Văn thư Sở Tài chính"),
    ("chuyên viên  sở y tế", "Sở Y tế", "chuyên viên Sở Y tế"),  # already names it, in any case and spacing
]


@pytest.mark.parametrize(("title", "agency", "written"), CASES)
def test_a_position_names_its_agency_once(title: str, agency: str, written: str) -> None:
    assert position_at(title, agency) == written


@pytest.mark.parametrize(("title", "agency", "written"), CASES)
def test_no_salutation_repeats_the_agency(title: str, agency: str, written: str) -> None:
    said = messages.greeting("vi", f"Nguyễn Văn An, {title}", agency)
    assert said == f"Kính gửi: Đồng chí Nguyễn Văn An, {written}.", said
    words = re.escape(agency.split()[0]) + r"\s" + re.escape(agency.split()[1])
    assert len(re.findall(words, said, re.IGNORECASE)) <= len(re.findall(words, written, re.IGNORECASE))
