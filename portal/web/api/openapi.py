"""The OpenAPI 3.1 description of the read-only API, served at /api/v1/openapi.json."""
from __future__ import annotations

from flask import jsonify

from portal.web.api import bp

_ERROR = {"description": "Tham số không hợp lệ",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_STR = {"type": "string"}
_NULLABLE_STR = {"type": ["string", "null"]}
_ARG = {"type": "string", "maxLength": 300}  # every query argument is refused past 300 characters


def _param(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _office(summary: str, path_name: str | None, schema: str, extra: list | None = None) -> dict:
    parameters = ([{"name": path_name, "in": "path", "required": True, "schema": {"type": "integer"}}]
                  if path_name else []) + (extra or [])
    return {"get": {"summary": summary, "security": [{"session": []}], "parameters": parameters,
                    "responses": {"200": {"description": "Dữ liệu", "content": {"application/json": {
                        "schema": {"$ref": f"#/components/schemas/{schema}"}}}},
                        "400": _ERROR, "401": {"description": "Chưa đăng nhập"},
                        "403": {"description": "Không phải cơ quan thường trực"},
                        "404": _ERROR}}}


OFFICE_PATHS = {
    "/api/v1/office/documents/{document_id}/receipts": _office(
        "Tình hình nhận văn bản của các đơn vị", "document_id", "Receipts"),
    "/api/v1/office/rounds/{round_id}/reports": _office(
        "Báo cáo của các đơn vị trong một đợt: đúng hạn, muộn, chưa nộp; tổng số liệu", "round_id", "Reports"),
    "/api/v1/office/dossiers": _office(
        "Hồ sơ đề nghị khen thưởng (100 mỗi trang)", None, "Dossiers",
        [_param("status", {"type": "string", "enum": ["draft", "submitted", "appraising", "consulting", "proposed",
                                                      "decided", "returned", "cancelled"]}, "Trạng thái"),
         _param("page", {"type": "integer", "minimum": 1}, "Trang")]),
    "/api/v1/office/dossiers/{dossier_id}": _office(
        "Một hồ sơ: tệp, danh sách (không có trường riêng tư), quá trình xử lý", "dossier_id", "Dossier"),
    "/api/v1/office/eligibility": _office(
        "Điều kiện đề nghị một danh hiệu của một người trong một năm: từng quy tắc, căn cứ, bằng chứng", None,
        "Eligibility", [{**_param("id_number", _ARG, "Số định danh cá nhân"), "required": True},
                        {**_param("title", _ARG, "Mã danh hiệu, ví dụ chien-si-thi-dua-nganh"), "required": True},
                        {**_param("year", {"type": "integer", "minimum": 1945, "maximum": 2100}, "Năm thành tích"),
                         "required": True}]),
    "/api/v1/office/recipients": _office(
        "Khen thưởng của một người theo từng năm", None, "Recipient",
        [{**_param("id_number", _ARG, "Số định danh cá nhân"), "required": True}]),
    "/api/v1/office/awards": _office(
        "Khen thưởng của một quyết định: mã xác minh, giấy chứng nhận, tình trạng hiệu lực", None, "OfficeAwards",
        [{**_param("decision", _ARG, "Số, ký hiệu quyết định khen thưởng, ví dụ 15/QĐ-UBND"), "required": True}]),
}
_OBJ = {"type": "object"}

SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "Thi đua - khen thưởng: API đọc", "version": "1.0.0",
             "description": "Tìm kiếm văn bản và bảng vinh danh (dữ liệu công khai); dưới "
                            "/api/v1/office: số liệu cho cơ quan thường trực đã đăng nhập."},
    "paths": {
        "/api/v1/search": {"get": {
            "summary": "Tìm kiếm văn bản và bảng vinh danh",
            "parameters": [
                _param("q", {"type": "string", "maxLength": 1000},
                       "Từ khóa, câu hỏi (tối đa 1.000 ký tự), có dấu hoặc không dấu, hoặc số ký hiệu"),
                _param("kind", {"type": "string", "enum": ["document", "award"]},
                       "Chỉ văn bản (document) hoặc chỉ mục bảng vinh danh (award); "
                       "bỏ trống: cả hai trong một danh sách"),
                _param("page", {"type": "integer", "minimum": 1, "maximum": 500}, "Trang"),
                _param("per_page", {"type": "integer", "minimum": 1, "maximum": 100}, "Số kết quả mỗi trang"),
                _param("type", _ARG, "Mã loại văn bản, ví dụ ke-hoach"),
                _param("year", _ARG, "Năm ban hành"),
            ],
            "responses": {"200": {"description": "Kết quả", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/SearchResults"}}}}, "400": _ERROR},
        }},
        "/api/v1/honors": {"get": {
            "summary": "Bảng vinh danh (trường công khai)",
            "parameters": [
                _param("page", {"type": "integer", "minimum": 1, "maximum": 100000}, "Trang"),
                _param("per_page", {"type": "integer", "minimum": 1, "maximum": 100}, "Số dòng mỗi trang"),
                _param("doi-tuong", _ARG, "ca-nhan, tap-the hoặc ho-gia-dinh"),
                _param("hinh-thuc", _ARG, "Mã hình thức khen thưởng hoặc danh hiệu"),
                _param("nam", _ARG, "Năm thành tích"),
                _param("phong-trao", _ARG, "Mã phong trào"),
                _param("dot", _ARG, "Mã đợt khen thưởng"),
                _param("dia-ban", _ARG, "Mã địa bàn, kể cả huyện cũ"),
                _param("don-vi", _ARG, "Đơn vị"),
                _param("ten", {"type": "string", "maxLength": 100}, "Tên, có dấu hoặc không dấu"),
            ],
            "responses": {"200": {"description": "Danh sách", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Honors"}}}}, "400": _ERROR},
        }},
        **OFFICE_PATHS,
    },
    "components": {"securitySchemes": {"session": {
        "type": "apiKey", "in": "cookie", "name": "session",
        "description": "Phiên đăng nhập khu vực quản trị (/quan-tri/dang-nhap) của cơ quan thường trực"}},
        "schemas": {
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["status", "message"],
            "properties": {"status": {"type": "integer"}, "message": _STR,
                           "problems": {"type": "array", "items": _STR}}}}},
        "SearchResults": {"type": "object", "required": ["query", "total", "total_approximate", "kinds", "page",
                                                         "per_page", "results", "facets"],
                          "properties": {
            "query": _STR, "total": {"type": "integer"},
            "total_approximate": {"type": "boolean", "description": "Tổng ước lượng (từ rất phổ biến): «khoảng N»"},
            "kinds": {"type": "object", "description": "Số kết quả theo loại (document, award)",
                      "additionalProperties": {"type": "integer"}},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"}, "suggestion": _NULLABLE_STR,
            "facets": {"type": "object", "additionalProperties": {"type": "array", "items": {
                "type": "object", "properties": {"value": _STR, "label": _STR, "count": {"type": "integer"}}}}},
            "results": {"type": "array", "items": {"type": "object", "required": [
                "kind", "symbol", "title", "type", "issuer", "issued_on", "url", "snippet", "highlights", "score"],
                "properties": {
                "kind": {"type": "string", "enum": ["document", "award"]},
                "symbol": _NULLABLE_STR, "title": _STR, "type": _NULLABLE_STR, "issuer": _NULLABLE_STR,
                "issued_on": _NULLABLE_STR, "url": _STR,
                "snippet": {"type": "string", "description": "Đoạn trích, văn bản thuần (không có thẻ HTML)"},
                "highlights": {"type": "array", "description":
                               "Các đoạn cần tô sáng trong snippet: [vị trí đầu, vị trí cuối), tính theo ký tự "
                               "Unicode (code point) từ 0; người dùng API tự hiển thị",
                               "items": {"type": "array", "items": {"type": "integer", "minimum": 0},
                                         "minItems": 2, "maxItems": 2}},
                "score": {"type": "number"}}}}}},
        "Eligibility": {"type": "object", "required": ["status", "rules"], "properties": {
            "title": _STR, "year": {"type": "integer"}, "note": _NULLABLE_STR,
            "status": {"type": "string", "enum": ["eligible", "review", "not_eligible"]},
            "rules": {"type": "array", "items": {"type": "object", "properties": {
                "rule": _STR, "id": _STR, "citation": _STR, "met": {"type": ["boolean", "null"]},
                "evidence": _STR}}}}},
        "Recipient": {"type": "object", "required": ["name", "years"], "properties": {
            "name": _STR, "years": {"type": "array", "items": {"type": "object", "properties": {
                "year": {"type": "integer"}, "awards": {"type": "array", "items": _OBJ}}}}}},
        "OfficeAwards": {"type": "object", "required": ["decision", "awards"], "properties": {
            "decision": _OBJ, "awards": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "integer"}, "seq": {"type": "integer"}, "kind": _STR, "name": _STR,
                "unit": _NULLABLE_STR, "status": {"type": "string", "enum": ["valid", "annulled"]},
                "verification_code": _STR, "verification_url": _STR, "certificate_url": _NULLABLE_STR,
                "annulment": {"type": ["object", "null"]}}}}}},
        "Receipts": {"type": "object", "required": ["document", "units"], "properties": {
            "document": _OBJ, "units": {"type": "array", "items": {"type": "object", "properties": {
                "code": _STR, "name": _STR, "received": {"type": "boolean"}, "at": _NULLABLE_STR,
                "by": _NULLABLE_STR, "how": _NULLABLE_STR}}}}},
        "Reports": {"type": "object", "required": ["round", "totals", "units"], "properties": {
            "round": _OBJ, "totals": {"type": "object", "additionalProperties": _STR},
            "units": {"type": "array", "items": {"type": "object", "properties": {
                "code": _STR, "name": _STR, "status": {"type": "string", "enum": ["on-time", "late", "missing"]},
                "submitted_at": _NULLABLE_STR, "figures": _OBJ, "file": _NULLABLE_STR}}}}},
        "Dossier": {"type": "object", "required": ["id", "title", "unit", "status"], "properties": {
            "id": {"type": "integer"}, "title": _STR, "unit": _STR, "unit_name": _STR, "round": _STR,
            "distinction": _STR, "status": _STR, "status_label": _STR, "submitted_at": _NULLABLE_STR,
            "late": {"type": "boolean"}, "nominees": {"type": "integer"}, "approved": {"type": "integer"},
            "decision_document_id": {"type": ["integer", "null"]}, "url": _STR,
            "files": {"type": "array", "items": _OBJ}, "list": {"type": "array", "items": _OBJ},
            "steps": {"type": "array", "items": _OBJ}}},
        "Dossiers": {"type": "object", "required": ["total", "page", "per_page", "results"], "properties": {
            "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/Dossier"}}}},
        "Honors": {"type": "object", "required": ["total", "page", "per_page", "results"], "properties": {
            "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
            "results": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "integer"}, "seq": {"type": "integer"}, "kind": _STR, "name": _STR,
                "position": _NULLABLE_STR, "unit": _NULLABLE_STR, "locality": _NULLABLE_STR,
                "achievement": _NULLABLE_STR, "contribution": {"type": ["integer", "null"]},
                "register_no": _NULLABLE_STR, "distinction": _STR, "year": {"type": ["integer", "null"]},
                "decision": _STR, "decision_date": _STR, "issuer": _STR, "demo": {"type": "boolean"},
                "annulled": {"type": "boolean"},
                "status": {"type": "string", "enum": ["Còn hiệu lực", "Đã bị hủy bỏ"]},
                "url": _STR}}}}},
    }},
}


@bp.get("/openapi.json")
def openapi():
    """The API description (OpenAPI 3.1)."""
    return jsonify(SPEC)
