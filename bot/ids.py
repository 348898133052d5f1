"""Every action_id, callback_id and block_id the app uses, in one place."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """Button and menu action IDs."""

    FEEDBACK_UP = "feedback_up"
    FEEDBACK_DOWN = "feedback_down"
    SHARE_ANSWER = "share_answer"
    SUBMIT_EVIDENCE = "submit_evidence"
    SNOOZE = "snooze_nudge"
    ACCEPT_EVIDENCE = "accept_evidence"
    REJECT_EVIDENCE = "reject_evidence"
    CONFIRM_CONTROL = "confirm_control"
    ACKNOWLEDGE = "acknowledge"
    TAKE_QUIZ = "take_quiz"
    QUESTIONNAIRE_APPROVE = "questionnaire_approve"
    QUESTIONNAIRE_EDIT = "questionnaire_edit"
    # --- reminders (the shared reminder engine) ---
    SNOOZE_ITEM = "snooze_item"
    # --- risks and suppliers (issue 24) ---
    RISK_ACCURATE = "risk_accurate"
    RISK_UPDATE = "risk_update"
    RISK_ACCEPT = "risk_accept"
    SUPPLIER_APPROVE = "supplier_approve"
    SUPPLIER_REJECT = "supplier_reject"
    SUPPLIER_REVIEWED = "supplier_reviewed"
    RISK_ACTION_DONE = "risk_action_done"
    # access reviews
    ACCESS_OPEN = "access_open"
    ACCESS_PAGE = "access_page"
    ACCESS_KEEP = "access_keep"
    ACCESS_REVOKE = "access_revoke"
    ACCESS_KEEP_ALL = "access_keep_all"
    ACCESS_REMOVED = "access_removed"
    # --- incidents ---
    REPORT_INCIDENT = "report_incident"
    INCIDENT_TRIAGE = "incident_triage"
    INCIDENT_REVIEW = "incident_review"
    INCIDENT_ADD_ACTION = "incident_add_action"
    INCIDENT_ACTION_DONE = "incident_action_done"


class View(StrEnum):
    """Modal callback IDs."""

    FEEDBACK = "feedback_modal"
    EVIDENCE = "evidence_modal"
    REJECT = "reject_modal"
    CAMPAIGN = "campaign_modal"
    QUIZ = "quiz_modal"
    QUESTIONNAIRE_EDIT = "questionnaire_edit_modal"
    # --- risks and suppliers (issue 24) ---
    RISK_UPDATE = "risk_update_modal"
    SUPPLIER_REQUEST = "supplier_request_modal"
    SUPPLIER_DECISION = "supplier_decision_modal"
    # access reviews
    ACCESS_START = "access_start_modal"
    ACCESS_REASON = "access_reason_modal"
    ACCESS_REMOVED = "access_removed_modal"
    # --- incidents ---
    INCIDENT_REPORT = "incident_report_modal"
    INCIDENT_TRIAGE = "incident_triage_modal"
    INCIDENT_REVIEW = "incident_review_modal"
    INCIDENT_ACTION = "incident_action_modal"


class Block(StrEnum):
    """Block IDs of inputs read back from view submissions."""

    FEEDBACK_COMMENT = "feedback_comment"
    EVIDENCE_TEXT = "evidence_text"
    EVIDENCE_LINK = "evidence_link"
    EVIDENCE_DATE = "evidence_date"
    REJECT_COMMENT = "reject_comment"
    CAMPAIGN_TITLE = "campaign_title"
    CAMPAIGN_AUDIENCE = "campaign_audience"
    CAMPAIGN_DUE = "campaign_due"
    CAMPAIGN_LINK = "campaign_link"
    CAMPAIGN_DOCUMENT = "campaign_document"
    CAMPAIGN_QUIZ = "campaign_quiz"
    CAMPAIGN_OPTIONS = "campaign_options"
    QUIZ_QUESTION = "quiz_q"
    QUESTIONNAIRE_ANSWER = "questionnaire_answer"
    # --- risks and suppliers (issue 24) ---
    RISK_LIKELIHOOD = "risk_likelihood"
    RISK_IMPACT = "risk_impact"
    RISK_RESIDUAL_LIKELIHOOD = "risk_residual_likelihood"
    RISK_RESIDUAL_IMPACT = "risk_residual_impact"
    RISK_TREATMENT = "risk_treatment"
    RISK_PLAN = "risk_plan"
    SUPPLIER_NAME = "supplier_name"
    SUPPLIER_PURPOSE = "supplier_purpose"
    SUPPLIER_DATA = "supplier_data"
    SUPPLIER_REASON = "supplier_reason"
    # access reviews
    ACCESS_SYSTEMS = "access_systems"
    ACCESS_REVIEWER = "access_reviewer"
    ACCESS_DUE = "access_due"
    ACCESS_REASON = "access_reason"
    ACCESS_NOTE = "access_note"
    ACCESS_FILE = "access_file"
    # --- incidents ---
    INCIDENT_WHAT = "incident_what"
    INCIDENT_NOTICED = "incident_noticed"
    INCIDENT_SYSTEMS = "incident_systems"
    INCIDENT_PERSONAL = "incident_personal"
    INCIDENT_KIND = "incident_kind"
    INCIDENT_SEVERITY = "incident_severity"
    INCIDENT_HANDLER = "incident_handler"
    INCIDENT_STATUS = "incident_status"
    INCIDENT_AFFECTED = "incident_affected"
    INCIDENT_BREACH = "incident_breach"
    INCIDENT_NOTIFIED_AT = "incident_notified_at"
    INCIDENT_NOTIFIED_WHOM = "incident_notified_whom"
    INCIDENT_ROOT_CAUSE = "incident_root_cause"
    INCIDENT_LESSONS = "incident_lessons"
    INCIDENT_ACTION_TEXT = "incident_action_text"
    INCIDENT_ACTION_OWNER = "incident_action_owner"
    INCIDENT_ACTION_DUE = "incident_action_due"


class Field(StrEnum):
    """Input element action IDs inside the blocks above."""

    VALUE = "value"


class Option(StrEnum):
    """Values of checkbox options."""

    ROLLING = "rolling"
    INCLUDE_GUESTS = "include_guests"
