//! The words of the exported documents (decision record, minutes), in Chinese and
//! English. Labels of closed vocabularies (levels, disciplines, answers, review kinds) come
//! from [`crate::i18n`]; this table holds what only the documents say.
//!
//! One `(key, zh, en)` row per line, sorted by key (a test checks it).

use crate::i18n::Lang;

#[rustfmt::skip]
pub static STRINGS: &[(&str, &str, &str)] = &[
    ("amend_reason", "更正理由", "Reason for the amendment"),
    ("amends", "本决定更正编号为 {record} 的决定；原决定书继续保留，不作删除。", "This decision amends record {record}; the earlier record is kept unchanged."),
    ("birth_date", "出生日期", "Date of birth"),
    ("case_no", "个案编号", "Case no."),
    ("catalogue", "评估标准", "Criteria catalogue"),
    ("chair", "主持人", "Chair"),
    ("chair_sign", "主持人（签字）", "Chair (signature)"),
    ("col.answer", "结论", "Finding"),
    ("col.case", "个案", "Case"),
    ("col.child", "儿童", "Child"),
    ("col.content", "内容", "Indicator"),
    ("col.discipline", "专业", "Discipline"),
    ("col.due", "完成时限", "Due"),
    ("col.evidence", "证据", "Evidence"),
    ("col.file", "文件", "File"),
    ("col.indicator", "指标", "Id"),
    ("col.level", "等级", "Level"),
    ("col.measure", "措施", "Measure"),
    ("col.member", "成员", "Member"),
    ("col.no", "序号", "No."),
    ("col.organisation", "单位", "Organisation"),
    ("col.outcome", "结果", "Outcome"),
    ("col.reason", "暂缓理由", "Reason for deferral"),
    ("col.record", "决定书", "Record"),
    ("col.role", "职责", "Role"),
    ("col.unit", "责任单位", "Responsible unit"),
    ("computed", "计算等级", "Computed level"),
    ("confidential", "内部资料 · 含未成年人身份信息 · 不得外传", "Confidential · contains a child's identity · do not pass on"),
    ("conflicts", "申报回避", "Conflicts declared"),
    ("counts", "议程共 {total} 件：已决定 {decided} 件，暂缓 {deferred} 件，未议 {pending} 件。", "{total} cases on the agenda: {decided} decided, {deferred} deferred, {pending} not reached."),
    ("date", "日期", "Date"),
    ("decided_on", "决定日期", "Date of decision"),
    ("demo", "演示数据 · 全部为虚构个案 · 演示密钥签名 · 不具任何效力", "DEMO DATA · invented cases · signed with a demo key · of no effect"),
    ("dissent", "不同意见", "Dissent"),
    ("final", "最终风险等级", "Final risk level"),
    ("hard_trigger", "硬性触发", "hard trigger"),
    ("held_on", "会议日期", "Date of session"),
    ("id_number", "身份证号", "ID number"),
    ("immediately", "立即", "Immediately"),
    ("key_id", "签名密钥", "Signing key"),
    ("minutes.absent", "缺席成员", "Absent"),
    ("minutes.files", "本会议导出的决定书", "Records exported with these minutes"),
    ("minutes.title", "专家组会议纪要", "Expert panel session minutes"),
    ("name", "姓名", "Name"),
    ("no_dissent", "无", "None"),
    ("no_session", "本决定未在专家组会议上作出（无会议记录）。", "This decision was not taken at a recorded panel session."),
    ("none", "无", "None"),
    ("not_required", "本案无须强制报告。", "No report was required in this case."),
    ("outcome.decided", "已决定", "Decided"),
    ("outcome.deferred", "暂缓", "Deferred"),
    ("outcome.pending", "未议", "Not reached"),
    ("override", "调整等级", "Override"),
    ("override_by", "提议人", "Proposed by"),
    ("override_none", "未调整", "No override"),
    ("override_reason", "调整理由", "Reason"),
    ("police_missing", "须报告，但未记录报告", "Required, but no report is recorded"),
    ("police_receipt", "回执编号", "Receipt no."),
    ("police_required", "本案有须强制报告的指标符合，已向公安机关报告：", "A reportable indicator was met; the police were informed:"),
    ("police_time", "报告时间", "Reported at"),
    ("police_unit", "接报单位", "Receiving unit"),
    ("present", "出席成员", "Members present"),
    ("record_no", "编号", "Record no."),
    ("region", "所在地区", "Region"),
    ("region_code", "行政区划代码", "Region code"),
    ("reportable", "强制报告", "reportable"),
    ("review_date", "下次复评日期", "Next review on"),
    ("review_kind", "复评类型", "Kind"),
    ("review_none", "未安排复评。", "No review is scheduled."),
    ("role.chair", "主持人", "Chair"),
    ("role.member", "成员", "Member"),
    ("role.secretary", "记录人", "Secretary"),
    ("rule", "依据", "Rule"),
    ("sealed_at", "确认时间", "Confirmed at"),
    ("sec.agenda", "议程与结果", "Agenda and outcomes"),
    ("sec.amends", "更正关系", "Amendment"),
    ("sec.attendance", "出席情况", "Attendance"),
    ("sec.child", "儿童基本情况", "The child"),
    ("sec.criteria", "评估依据", "Criteria and evidence"),
    ("sec.deferrals", "暂缓事项", "Deferrals"),
    ("sec.interventions", "帮扶措施", "Interventions"),
    ("sec.police", "强制报告", "Mandatory report"),
    ("sec.result", "评估结果", "Risk level"),
    ("sec.review", "复评安排", "Next review"),
    ("sec.session", "会议情况", "The session"),
    ("sec.signature", "签署", "Signature"),
    ("sec.vote", "表决情况", "Vote"),
    ("secretary", "记录人", "Secretary"),
    ("secretary_sign", "记录人（签字）", "Secretary (signature)"),
    ("session_no", "会议编号", "Session no."),
    ("sex", "性别", "Sex"),
    ("signed_at", "签署时间", "Signed at"),
    ("signer", "签署人", "Signed by"),
    ("title", "专家组评估决定书", "Expert panel decision"),
    ("verify_hint", "本决定书的电子文本 {file} 已由上述密钥签名。用本中心的公钥 casepanel.pub，以下任一命令可核验其未被改动：", "The electronic record {file} is signed with the key above. With the centre's public key casepanel.pub, either command checks that it is unaltered:"),
    ("vote_abstain", "弃权", "Abstain"),
    ("vote_against", "反对", "Against"),
    ("vote_for", "同意", "For"),
    ("vote_result", "同意 {for} 票，反对 {against} 票，弃权 {abstain} 票。", "{for} for, {against} against, {abstain} abstaining."),
    ("voting_members", "参加表决成员", "Members voting"),
];

/// The document string for `key`; an unknown key comes back as itself.
pub fn s(lang: Lang, key: &'static str) -> &'static str {
    match STRINGS.binary_search_by(|(k, _, _)| k.cmp(&key)) {
        Ok(i) => match lang {
            Lang::Zh => STRINGS[i].1,
            Lang::En => STRINGS[i].2,
        },
        Err(_) => key,
    }
}

/// [`s`] with `{name}` placeholders filled.
pub fn sf(lang: Lang, key: &'static str, args: &[(&str, &str)]) -> String {
    crate::i18n::fill(s(lang, key), args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_unique_and_complete() {
        for w in STRINGS.windows(2) {
            assert!(w[0].0 < w[1].0, "{} must come before {}", w[1].0, w[0].0);
        }
        for (k, zh, en) in STRINGS {
            assert!(!zh.is_empty() && !en.is_empty(), "{k}");
        }
        assert_eq!(s(Lang::Zh, "title"), "专家组评估决定书");
        assert_eq!(s(Lang::En, "title"), "Expert panel decision");
    }
}
