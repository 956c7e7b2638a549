"""The demo's sources: file, kind, encoding, header and how its columns map onto fields, in loading order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from loaders.fields import SourceKind

ColumnMap = dict[str, str | list[str]]


@dataclass(frozen=True)
class SourceSpec:
    name: str
    file: str
    kind: SourceKind
    header: tuple[str, ...]  # CSV header, or the keys of each JSONL object in order
    columns: ColumnMap  # field -> column, where the column is not named like the field
    settings: dict[str, str] = field(default_factory=dict)  # date_format, timezone, phone_region, ...
    references: dict[str, str] = field(default_factory=dict)
    properties: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    encoding: str = "utf-8"
    truth: Literal["person", "company", None] = None  # what its records are in truth.csv
    about: str = ""  # a comment for sources.toml

    @property
    def is_jsonl(self) -> bool:
        return self.file.endswith(".jsonl")


B2B_COMPANIES = SourceSpec(
    name="b2b_companies",
    about="B2B CRM accounts: legal names in English and Chinese, websites, parent accounts; some companies twice",
    file="b2b_companies.csv",
    kind=SourceKind.COMPANY,
    header=(
        "Account ID",
        "Account Name",
        "Website",
        "Parent Account ID",
        "Industry",
        "Employees",
        "Phone",
        "Billing City",
        "Billing Country",
        "Created Date",
    ),
    columns={
        "source_id": "Account ID",
        "name": "Account Name",
        "domain": "Website",
        "parent_id": "Parent Account ID",
        "industry": "Industry",
        "employees": "Employees",
        "phone": "Phone",
        "city": "Billing City",
        "country": "Billing Country",
        "created_at": "Created Date",
    },
    settings={"phone_region": "US"},
    truth="company",
)
B2B_CONTACTS = SourceSpec(
    name="b2b_contacts",
    about="B2B CRM contacts: work e-mail, direct line and mobile, titles in English and Chinese",
    file="b2b_contacts.csv",
    kind=SourceKind.CONTACT,
    header=(
        "Contact ID",
        "Account ID",
        "First Name",
        "Last Name",
        "Title",
        "Department",
        "Email",
        "Phone",
        "Mobile",
        "Mailing City",
        "Mailing Country",
        "Email Opt In",
        "Created Date",
    ),
    columns={
        "source_id": "Contact ID",
        "company_id": "Account ID",
        "first_name": "First Name",
        "last_name": "Last Name",
        "title": "Title",
        "department": "Department",
        "email": "Email",
        "phone": ["Phone", "Mobile"],
        "city": "Mailing City",
        "country": "Mailing Country",
        "email_consent": "Email Opt In",
        "created_at": "Created Date",
    },
    settings={"phone_region": "US"},
    references={"company": "b2b_companies"},
    truth="person",
)
MA_LEADS = SourceSpec(
    name="ma_leads",
    about="marketing-automation leads: no account id, only the company's domain (free-mail for some)",
    file="ma_leads.csv",
    kind=SourceKind.CONTACT,
    header=(
        "lead_id",
        "email",
        "first_name",
        "last_name",
        "company_domain",
        "job_title",
        "phone",
        "country",
        "created_at",
        "email_opt_in",
    ),
    columns={"source_id": "lead_id", "title": "job_title", "email_consent": "email_opt_in"},
    settings={"phone_region": "US", "timestamp_format": "YYYY-MM-DD HH:mm:ss"},
    truth="person",
)
WEBINAR = SourceSpec(
    name="webinar",
    about="webinar registrants: the company as each registrant typed it",
    file="webinar_registrants.csv",
    kind=SourceKind.CONTACT,
    header=("Registrant ID", "Full Name", "Email", "Company", "Job Title", "Country", "Registered At"),
    columns={
        "source_id": "Registrant ID",
        "full_name": "Full Name",
        "email": "Email",
        "company_name": "Company",
        "title": "Job Title",
        "country": "Country",
        "created_at": "Registered At",
    },
    settings={"phone_region": "US", "timestamp_format": "MM/DD/YYYY HH:mm", "timezone": "America/New_York"},
    truth="person",
)
OPPORTUNITIES = SourceSpec(
    name="b2b_opportunities",
    about="B2B deals: amounts in USD, CNY or EUR",
    file="b2b_opportunities.csv",
    kind=SourceKind.OPPORTUNITY,
    header=(
        "Opportunity ID",
        "Opportunity Name",
        "Account ID",
        "Amount",
        "Currency",
        "Stage",
        "Close Date",
        "Created Date",
    ),
    columns={
        "source_id": "Opportunity ID",
        "name": "Opportunity Name",
        "company_id": "Account ID",
        "amount": "Amount",
        "currency": "Currency",
        "stage": "Stage",
        "close_date": "Close Date",
        "created_at": "Created Date",
    },
    references={"company": "b2b_companies"},
)
OPPORTUNITY_ROLES = SourceSpec(
    name="opportunity_roles",
    about="contact roles on deals (Decision Maker, Economic Buyer, Champion, ...)",
    file="opportunity_roles.csv",
    kind=SourceKind.OPPORTUNITY_ROLE,
    header=("Opportunity ID", "Contact ID", "Role"),
    columns={"opportunity_id": "Opportunity ID", "contact_id": "Contact ID", "role": "Role"},
    references={"opportunity": "b2b_opportunities", "contact": "b2b_contacts"},
)
CRM = SourceSpec(
    name="crm",
    about="B2C CRM (US system): US dates and 12-hour times in New York time, Chinese names often in pinyin",
    file="crm_customers.csv",
    kind=SourceKind.CUSTOMER,
    header=(
        "Customer ID",
        "First Name",
        "Last Name",
        "Gender",
        "Birth Date",
        "E-mail",
        "Mobile",
        "Street",
        "City",
        "State",
        "ZIP",
        "Country",
        "Loyalty Card No",
        "Email Opt-In",
        "SMS Opt-In",
        "Created",
        "Last Modified",
    ),
    columns={
        "source_id": "Customer ID",
        "first_name": "First Name",
        "last_name": "Last Name",
        "gender": "Gender",
        "birth_date": "Birth Date",
        "email": "E-mail",
        "phone": "Mobile",
        "street": "Street",
        "city": "City",
        "state": "State",
        "postcode": "ZIP",
        "country": "Country",
        "account_id": "Loyalty Card No",
        "email_consent": "Email Opt-In",
        "sms_consent": "SMS Opt-In",
        "created_at": "Created",
        "updated_at": "Last Modified",
    },
    settings={
        "date_format": "MM/DD/YYYY",
        "timestamp_format": "MM/DD/YYYY hh:mm A",
        "timezone": "America/New_York",
        "phone_region": "US",
        "account_system": "loyalty",
    },
    truth="person",
)
ESHOP = SourceSpec(
    name="eshop",
    about="e-shop accounts (JSON lines): ISO dates, the account id is also a login",
    file="eshop_accounts.jsonl",
    kind=SourceKind.CUSTOMER,
    header=(
        "account_id",
        "name",
        "gender",
        "birthday",
        "email",
        "mobile",
        "ship_to_street",
        "ship_to_city",
        "ship_to_province",
        "ship_to_postcode",
        "ship_to_country",
        "newsletter",
        "created_at",
        "updated_at",
    ),
    columns={
        "source_id": "account_id",
        "account_id": "account_id",
        "full_name": "name",
        "birth_date": "birthday",
        "phone": "mobile",
        "street": "ship_to_street",
        "city": "ship_to_city",
        "state": "ship_to_province",
        "postcode": "ship_to_postcode",
        "country": "ship_to_country",
        "email_consent": "newsletter",
    },
    settings={"phone_region": "CN", "account_system": "eshop"},
    truth="person",
)
LOYALTY = SourceSpec(
    name="loyalty",
    about="loyalty members: GBK export of the store system, Chinese headers, Chinese dates",
    file="loyalty_members.csv",
    kind=SourceKind.CUSTOMER,
    header=(
        "会员卡号",
        "姓名",
        "性别",
        "出生日期",
        "手机号码",
        "电子邮箱",
        "省份",
        "城市",
        "详细地址",
        "邮编",
        "注册门店",
        "入会时间",
        "短信订阅",
    ),
    columns={
        "source_id": "会员卡号",
        "account_id": "会员卡号",
        "full_name": "姓名",
        "gender": "性别",
        "birth_date": "出生日期",
        "phone": "手机号码",
        "email": "电子邮箱",
        "state": "省份",
        "city": "城市",
        "street": "详细地址",
        "postcode": "邮编",
        "created_at": "入会时间",
        "sms_consent": "短信订阅",
    },
    settings={
        "date_format": "YYYY年MM月DD日",
        "timestamp_format": "YYYY-MM-DD HH:mm:ss",
        "timezone": "Asia/Shanghai",
        "phone_region": "CN",
        "account_system": "loyalty",
    },
    attributes=("注册门店",),
    encoding="gbk",
    truth="person",
)
MEMBER_CARDS = SourceSpec(
    name="eshop_member_cards",
    about="loyalty cards bound to e-shop accounts",
    file="eshop_member_cards.csv",
    kind=SourceKind.ACCOUNT,
    header=("eshop_account", "card_no", "program"),
    columns={"person_id": "eshop_account", "account_id": "card_no", "system": "program"},
    references={"person": "eshop"},
)
APP_DEVICES = SourceSpec(
    name="app_devices",
    about="app installs: devices per e-shop account, family tablets shared by a household",
    file="app_devices.csv",
    kind=SourceKind.DEVICE,
    header=("account_id", "device_id", "device_type"),
    columns={"person_id": "account_id"},
    references={"person": "eshop"},
)
POS = SourceSpec(
    name="pos",
    about="store transactions: GBK, day-first local times in Shanghai, CNY and USD (duty-free shop)",
    file="pos_transactions.csv",
    kind=SourceKind.EVENT,
    header=(
        "交易流水号",
        "会员卡号",
        "手机号",
        "交易时间",
        "交易类型",
        "渠道",
        "门店编号",
        "门店城市",
        "商品类别",
        "数量",
        "金额",
        "币种",
    ),
    columns={
        "source_id": "交易流水号",
        "person_id": "会员卡号",
        "phone": "手机号",
        "timestamp": "交易时间",
        "type": "交易类型",
        "channel": "渠道",
        "quantity": "数量",
        "amount": "金额",
        "currency": "币种",
    },
    settings={
        "timestamp_format": "DD/MM/YYYY HH:mm",
        "timezone": "Asia/Shanghai",
        "phone_region": "CN",
        "currency": "CNY",
    },
    references={"person": "loyalty"},
    properties=("门店编号", "门店城市", "商品类别"),
    encoding="gbk",
)
WEB = SourceSpec(
    name="web",
    about="web events (JSON lines): cookie ids, logged-in account ids, nested properties",
    file="web_events.jsonl",
    kind=SourceKind.EVENT,
    header=(
        "event_id",
        "event",
        "timestamp",
        "channel",
        "anonymous_id",
        "user_id",
        "revenue",
        "currency",
        "properties",
    ),
    columns={
        "source_id": "event_id",
        "type": "event",
        "device_id": "anonymous_id",
        "person_id": "user_id",
        "amount": "revenue",
    },
    references={"person": "eshop"},
)
APP = SourceSpec(
    name="app",
    about="app events (JSON lines): device ids, epoch milliseconds",
    file="app_events.jsonl",
    kind=SourceKind.EVENT,
    header=("id", "name", "ts", "channel", "device_id", "user_id", "amount", "currency", "properties"),
    columns={"source_id": "id", "type": "name", "timestamp": "ts", "person_id": "user_id"},
    settings={"timestamp_format": "epoch_ms"},
    references={"person": "eshop"},
)
B2B_ACTIVITIES = SourceSpec(
    name="b2b_activities",
    about="B2B engagement of CRM contacts: e-mail opens and clicks, web visits, webinars, calls and meetings",
    file="b2b_activities.csv",
    kind=SourceKind.EVENT,
    header=("Activity ID", "Contact ID", "Activity Type", "Activity Date", "Channel", "Subject"),
    columns={
        "source_id": "Activity ID",
        "person_id": "Contact ID",
        "type": "Activity Type",
        "timestamp": "Activity Date",
        "channel": "Channel",
    },
    references={"person": "b2b_contacts"},
    properties=("Subject",),
)

# Loading order: what a row refers to is loaded before it.
SOURCES: tuple[SourceSpec, ...] = (
    B2B_COMPANIES, B2B_CONTACTS, MA_LEADS, WEBINAR, OPPORTUNITIES, OPPORTUNITY_ROLES,
    CRM, ESHOP, LOYALTY, MEMBER_CARDS, APP_DEVICES, POS, WEB, APP, B2B_ACTIVITIES,
)  # fmt: skip
