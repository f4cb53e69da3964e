//! Chinese and English labels side by side: a credit file is read by a Chinese credit
//! committee and by the bank's own and foreign auditors, so every heading and every enum value
//! the report shows carries both.

use crate::pb;

use super::escape::escape;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label {
    pub zh: &'static str,
    pub en: &'static str,
}

const fn label(zh: &'static str, en: &'static str) -> Label {
    Label { zh, en }
}

impl Label {
    /// Both languages, each marked with its language so a screen reader and the font stack
    /// pick the right glyphs.
    pub fn html(self) -> String {
        format!(
            r#"<span class="zh" lang="zh-CN">{}</span> <span class="en" lang="en">{}</span>"#,
            escape(self.zh),
            escape(self.en)
        )
    }

    /// Both languages as plain text, for SVG and the page title.
    pub fn text(self) -> String {
        format!("{} {}", self.zh, self.en)
    }
}

pub const TITLE: Label = label("绿色转型贷款评估报告", "Transition-loan assessment report");

pub const PROJECT_AND_LOAN: Label = label("项目与贷款", "Project and loan");
pub const COST_TO_REVENUE: Label =
    label("成本与收益：项目前后", "Cost to revenue, before vs after");
pub const SCHEDULE_AND_DSCR: Label =
    label("还款计划与偿债覆盖", "Loan schedule and debt-service cover");
pub const EMISSIONS: Label = label("排放：基准与项目", "Emissions, baseline vs project");
pub const ATTRIBUTION: Label = label("归因于贷款", "Attribution to the loan");
pub const WARNINGS_AND_ASSUMPTIONS: Label = label("警示与假设", "Warnings and stated assumptions");
pub const FACTORS: Label = label("排放因子及来源", "Emission factors and sources");
pub const SEAL: Label = label("记录封印", "Record seal");
pub const APPENDIX_SCHEDULE: Label = label(
    "附录：逐期还款计划",
    "Appendix: repayment schedule, every period",
);

pub const SUMMARY: Label = label("摘要", "Summary");
pub const SUMMARY_DSCR: Label = label("偿债覆盖率与门槛", "Debt-service cover vs hurdle");
pub const SUMMARY_MIN_DSCR: Label = label("最低偿债覆盖率", "Minimum DSCR");
pub const MEETS_HURDLE: Label = label("达到门槛", "meets the hurdle");
pub const BELOW_HURDLE: Label = label("低于门槛", "below the hurdle");
pub const SUMMARY_ELIGIBILITY: Label = label("绿色贷款目录符合性", "Eligibility (rule set)");
pub const ALL_MET: Label = label("全部规则符合", "all rules met");
pub const SOME_NOT_MET: Label = label("有规则不符合", "some rules not met");
pub const SOME_NOT_EVALUABLE: Label = label("有规则无法评估", "some rules not evaluable");
pub const SUMMARY_REDUCTION: Label = label(
    "减排量（中值，低–高）",
    "Emission reduction (central, low–high)",
);
pub const SUMMARY_ATTRIBUTION: Label =
    label("归因于贷款的减排", "Reduction attributable to the loan");
pub const BALANCE_CLOSES: Label = label("物料平衡闭合", "closes");
pub const BALANCE_DOES_NOT_CLOSE: Label = label("物料平衡不闭合", "does not close");
pub const NOT_IN_VIEW: Label = label("本视图未包含", "not in this view");
pub const NOT_REQUESTED: Label = label("未申请", "not requested");
pub const SUMMARY_NOTE: Label = label(
    "摘要中的数字与结论均取自下文各节（服务返回的原文），此处不做任何计算。",
    "Every figure and verdict in this summary is the service's, as printed in the sections \
     below; nothing is computed here.",
);

pub const BORROWER: Label = label("借款人", "Borrower");
pub const PROJECT: Label = label("项目", "Project");
pub const PRINCIPAL: Label = label("贷款本金", "Principal");
pub const ANNUAL_RATE: Label = label("年利率（%）", "Annual rate (%)");
pub const RATE_SOURCE: Label = label("利率来源", "Rate source");
pub const TERM_MONTHS: Label = label("期限（月）", "Term (months)");
pub const PERIOD_COUNT: Label = label("还款期数", "Repayment periods");
pub const METHOD: Label = label("还款方式", "Repayment method");
pub const FREQUENCY: Label = label("还款频率", "Repayment frequency");
pub const FIRST_PAYMENT: Label = label("首期还款日", "First instalment due");
pub const GRACE_MONTHS: Label = label("宽限期（月）", "Grace period (months)");
pub const TOTAL_INVESTMENT: Label = label("项目总投资", "Total project investment");
pub const METHODOLOGY_VERSION: Label = label("方法学版本", "Methodology version");
pub const FACTOR_SET: Label = label("排放因子集", "Factor set");
pub const REFERENCE_DATA: Label = label("参考数据版本", "Reference data version");
pub const PRESENTATION: Label = label("取整规则", "Rounding rule");
pub const FIXED_RATE: Label = label("固定利率", "Fixed rate");
pub const LPR_RATE: Label = label("LPR 加点", "LPR plus spread");

pub const MANURE_FRESH_T_PER_YEAR: Label = label("年处理鲜粪（吨）", "Fresh manure a year (t)");
pub const MANURE_DRY_MATTER_T_PER_YEAR: Label =
    label("年干物质（吨）", "Manure dry matter a year (t)");
pub const PRODUCT_T_PER_YEAR: Label = label("年产有机肥（吨）", "Product a year (t)");
pub const YIELD_PER_T_FRESH: Label = label("每吨鲜粪产肥（吨）", "Product per t fresh manure (t)");
pub const YIELD_PER_T_DRY_MATTER: Label =
    label("每吨干物质产肥（吨）", "Product per t dry matter (t)");
pub const BEFORE: Label = label("项目前：原处理方式", "Before: baseline treatment");
pub const AFTER: Label = label("项目后：制有机肥", "After: fertilizer production");
pub const ANNUAL_CNY: Label = label("每年（元）", "A year (CNY)");
pub const BASELINE_COST: Label = label("原处理成本", "baseline treatment cost");
pub const INCOME_TO_COST: Label =
    label("肥料收益 / 原处理成本", "Fertilizer income / baseline cost");
pub const PER_TONNE: Label = label(
    "每吨数字（元/吨，按计量基础）",
    "Per-tonne figures (CNY per t of the basis)",
);
pub const ITEM: Label = label("项目", "Item");
pub const CASH_FLOW: Label = label("年度现金流（元）", "Annual cash flow (CNY)");
pub const LINE: Label = label("科目", "Line");
pub const KIND: Label = label("类别", "Kind");
pub const CNY_PER_YEAR: Label = label("元/年", "CNY a year");
pub const PROJECT_ONLY_TOTAL: Label = label("项目自身现金流", "Project-only cash flow");
pub const INCREMENTAL_TOTAL: Label = label(
    "增量现金流（有无对比）",
    "Incremental cash flow (with vs without)",
);
pub const BASIS_USED: Label = label("所用口径", "basis used");
pub const RETURNS: Label = label("投资回报", "Investment returns");
pub const NET_INVESTMENT: Label = label("净投资（元）", "Net investment (CNY)");
pub const PROJECT_LIFE: Label = label("项目寿命（年）", "Project life (years)");
pub const PAYBACK: Label = label("静态回收期（年）", "Simple payback (years)");
pub const DISCOUNT_RATE: Label = label("折现率（%）", "Discount rate (%)");
pub const NPV: Label = label("净现值（元）", "NPV (CNY)");
pub const IRR: Label = label("内部收益率（%）", "IRR (%)");
pub const MASS_BALANCE: Label = label("物料平衡", "Mass balance");
pub const DRY_MATTER_IN: Label = label("进料干物质（吨/日）", "Dry matter in (t/day)");
pub const AMENDMENTS_DRY_MATTER: Label =
    label("辅料干物质（吨/日）", "Amendments' dry matter (t/day)");
pub const LOSS_GIVEN: Label = label(
    "堆肥干物质损失率（所给）",
    "Composting dry-matter loss (given)",
);
pub const LOSS_TOLERABLE: Label = label("可容许损失率", "Largest tolerable loss");
pub const CAPACITY: Label = label("产能上限（吨/日）", "Product capacity (t/day)");
pub const STATED_OUTPUT: Label = label("声明产量（吨/日）", "Stated output (t/day)");
pub const CLOSES: Label = label("是否闭合", "Closes");
pub const SHORTFALL: Label = label("干物质缺口（吨/日）", "Dry-matter shortfall (t/day)");
pub const YES: Label = label("是", "yes");
pub const NO: Label = label("否", "no");
pub const NOT_GIVEN: Label = label("未给出", "not given");

pub const TOTAL_INTEREST: Label = label("利息合计（元）", "Total interest (CNY)");
pub const TOTAL_PRINCIPAL: Label = label("本金合计（元）", "Total principal (CNY)");
pub const TOTAL_INSTALMENTS: Label = label("还款合计（元）", "Total instalments (CNY)");
pub const CONVENTION: Label = label("计息与取整约定", "Schedule convention");
pub const LOAN_YEAR: Label = label("贷款年度", "Loan year");
pub const MONTHS: Label = label("月数", "Months");
pub const CASH_FLOW_AVAILABLE: Label = label("可用现金流（元）", "Cash flow available (CNY)");
pub const DEBT_SERVICE: Label = label("应还本息（元）", "Debt service (CNY)");
pub const DSCR: Label = label("偿债覆盖率", "DSCR");
pub const MIN_DSCR: Label = label("最低偿债覆盖率（年度）", "Minimum DSCR (loan year)");
pub const HURDLE: Label = label("门槛", "Hurdle");
pub const HURDLE_STATUS: Label = label("是否达标", "Hurdle status");
pub const BREAK_EVEN: Label = label("盈亏平衡（覆盖率 = 1）", "Break-even (DSCR = 1)");
pub const REQUIRED_CASH_FLOW: Label =
    label("所需年现金流（元）", "Required cash flow a year (CNY)");
pub const BREAK_EVEN_VALUE: Label = label(
    "平衡肥料价值（元/吨产品）",
    "Break-even fertilizer value (CNY/t product)",
);
pub const BREAK_EVEN_THROUGHPUT: Label =
    label("平衡鲜粪处理量（吨/日）", "Break-even fresh manure (t/day)");
pub const DSCR_CHART: Label = label("各贷款年度偿债覆盖率", "DSCR per loan year");
pub const NO_DEBT_SERVICE: Label = label("无应还", "no debt service");
pub const PERIOD: Label = label("期次", "Period");
pub const DUE_DATE: Label = label("到期日", "Due date");
pub const OPENING_BALANCE: Label = label("期初余额", "Opening balance");
pub const INTEREST: Label = label("利息", "Interest");
pub const PRINCIPAL_REPAID: Label = label("本金", "Principal");
pub const INSTALMENT: Label = label("期供", "Instalment");
pub const CLOSING_BALANCE: Label = label("期末余额", "Closing balance");
pub const SEE_APPENDIX: Label = label("逐期明细见附录", "Every period is listed in the appendix");

pub const NO_CARBON: Label = label(
    "本次评估未请求碳排放估算",
    "No carbon estimate was requested for this assessment",
);
pub const GWP: Label = label("全球增温潜势", "GWP set");
pub const GWP_CH4: Label = label("甲烷 GWP", "GWP of CH4");
pub const GWP_N2O: Label = label("氧化亚氮 GWP", "GWP of N2O");
pub const GWP_SOURCE: Label = label("GWP 来源", "GWP source");
pub const BASELINE_SYSTEM: Label = label("基准粪污处理方式", "Baseline manure system");
pub const PROJECT_SYSTEM: Label = label("项目粪污处理方式", "Project manure system");
pub const EMISSIONS_CHART: Label = label(
    "年排放量（吨二氧化碳当量）：基准、项目与减排",
    "Emissions a year (tCO2e): baseline, project, reduction",
);
pub const BASELINE: Label = label("基准", "Baseline");
pub const PROJECT_SCENARIO: Label = label("项目", "Project");
pub const REDUCTION: Label = label("减排", "Reduction");
pub const AVOIDED: Label = label("避免排放", "Avoided");
pub const SCENARIO: Label = label("情景", "Scenario");
pub const SOURCE: Label = label("排放源", "Source");
pub const GAS: Label = label("气体", "Gas");
pub const GAS_T: Label = label("气体吨/年（中值）", "t gas a year (central)");
pub const LOW: Label = label("低", "low");
pub const CENTRAL: Label = label("中", "central");
pub const HIGH: Label = label("高", "high");
pub const TOTAL: Label = label("合计", "Total");
pub const MANURE_MANAGEMENT: Label = label("粪污管理减排", "Manure management");
pub const PROJECT_ENERGY: Label = label("项目能耗（扣减）", "Project energy (subtracted)");
pub const EMISSION_REDUCTION: Label = label("减排量", "Emission reduction");
pub const TOTAL_REDUCTION: Label = label("总减排（含避免排放）", "Total reduction (with avoided)");
pub const FRAMEWORK: Label = label("核算框架", "Framework");
pub const BOUNDS_MEANING: Label = label("上下限含义", "What low and high mean");
pub const TCO2E_PER_YEAR: Label = label("吨二氧化碳当量/年", "tCO2e a year");

pub const PBOC_SHARE: Label = label("人民银行口径贷款占比", "PBoC loan share");
pub const PBOC_REDUCTION: Label = label(
    "归因减排量（人行口径）",
    "Attributed emission reduction (PBoC)",
);
pub const PBOC_TOTAL: Label = label(
    "归因总减排（人行口径）",
    "Attributed total reduction (PBoC)",
);
pub const PCAF_FACTOR: Label = label("PCAF 归因系数", "PCAF attribution factor");
pub const PCAF_FINANCED: Label = label("融资排放（PCAF）", "Financed emissions (PCAF)");
pub const PCAF_REDUCTION: Label =
    label("归因减排量（PCAF）", "Attributed emission reduction (PCAF)");
pub const PCAF_AVOIDED: Label = label(
    "归因避免排放（PCAF）",
    "Attributed avoided emissions (PCAF)",
);
pub const PCAF_SCORE: Label = label("PCAF 数据质量评分", "PCAF data-quality score");
pub const PER_10K_CNY: Label = label("每万元贷款总减排", "Total reduction per 10,000 CNY of loan");
pub const ABATEMENT_COST: Label = label(
    "平准化减排成本（元/吨）",
    "Levelised abatement cost (CNY/tCO2e)",
);
pub const PCAF_BY_YEAR: Label = label("按贷款年度的 PCAF 归因", "PCAF attribution by loan year");
pub const OUTSTANDING: Label = label("年初余额（元）", "Outstanding at start (CNY)");
pub const FACTOR: Label = label("归因系数", "Attribution factor");
pub const ATTRIBUTED_TOTAL: Label = label("归因总减排", "Attributed total reduction");
pub const NO_ATTRIBUTION: Label = label(
    "无碳排放估算，无归因",
    "No carbon estimate, so no attribution",
);

pub const INSURER_VIEW: Label = label("保险视角：污染暴露", "Insurer view: pollution exposure");
pub const EXCHANGE_VIEW: Label = label(
    "交易所视角：转型计划资格",
    "Exchange view: transition-plan eligibility",
);
pub const NO_INSURER_VIEW: Label = label(
    "本次评估未请求保险视角（请求中无 insurer_exposure）",
    "No insurer view was requested for this assessment (the request has no insurer_exposure)",
);
pub const NO_ELIGIBILITY: Label = label(
    "本次评估未请求资格检查（请求中无 eligibility）",
    "No eligibility check was requested for this assessment (the request has no eligibility)",
);
pub const EXPOSURE: Label = label(
    "暴露数字：项目前后及变化",
    "Exposure figures, before and after",
);
pub const STORAGE: Label = label(
    "粪污贮存与设施状况",
    "Manure storage and facility condition",
);
pub const SITE_BEFORE: Label = label("项目前", "Before the project");
pub const SITE_AFTER: Label = label("项目后", "After the project");
pub const CHANGE: Label = label("变化（后 − 前）", "Change (after − before)");
pub const UNTREATED_STOCK: Label = label("场内未处理粪污（吨）", "Untreated manure on site (t)");
pub const STORAGE_DAYS: Label = label("贮存能力（天）", "Storage capacity (days)");
pub const NITROGEN: Label = label("年处理氮（吨 N）", "Nitrogen handled a year (t N)");
pub const PHOSPHORUS: Label = label("年处理磷（吨 P）", "Phosphorus handled a year (t P)");
pub const DISTANCE_TO_WATER: Label = label(
    "贮存设施距最近地表水（米）",
    "Storage to nearest surface water (m)",
);
pub const STORAGE_TYPE: Label = label("贮存方式", "Storage type");
pub const LEAK_PRONE: Label = label("易渗漏（无防渗层）", "Leak-prone (no impermeable barrier)");
pub const COVERED: Label = label("防雨（有顶或密闭）", "Covered (keeps rain out)");
pub const STORAGE_BASIS: Label = label("分类依据", "Basis of the classification");
pub const FACILITY_CONDITION: Label = label("设施状况", "Facility condition");
pub const CHANGED: Label = label("已变更", "changed");
pub const UNCHANGED: Label = label("未变更", "unchanged");
pub const FLAGS: Label = label("提请核保关注", "Flags for the underwriter");
pub const HJ941: Label = label(
    "HJ 941-2018 企业突发环境事件风险分级",
    "HJ 941-2018 environmental emergency risk classification",
);
pub const MEDIUM: Label = label("环境要素", "Medium");
pub const LEVELS_CODE: Label = label("等级表征（Q-M-E）", "Levels (Q-M-E)");
pub const Q_RATIO: Label = label("Q 值", "Q ratio");
pub const Q_LEVEL_GIVEN: Label = label("请求直接给出 Q 等级", "Q level given by the request");
pub const GRADE: Label = label("风险等级", "Grade");
pub const NOTE: Label = label("说明", "Note");
pub const VIEW_METHOD: Label = label("方法说明", "Method");
pub const RULE_SET: Label = label("规则集（编号/版本）", "Rule set (id/version)");
pub const RULE_SET_TITLE: Label = label("名称", "Title");
pub const RULE_SET_SCOPE: Label = label("范围与出处", "Scope and sources");
pub const OUTCOME: Label = label("结论统计", "Outcome");
pub const RULE: Label = label("规则（目录条目）", "Rule (catalogue entry)");
pub const STATUS: Label = label("结论", "Status");
pub const FIGURES_COMPARED: Label = label("比较的数字", "Figures compared");
pub const READING: Label = label(
    "出处、原文与规则集的解读",
    "Source, wording and the rule set's reading",
);
pub const ASSESSED: Label = label("本评估", "assessed");
pub const REQUIRED: Label = label("要求", "required");
pub const MISSING: Label = label("缺少输入", "missing input");
pub const REASON: Label = label("理由", "Reason");
pub const SOURCE_WORDING: Label = label("原文", "Wording");
pub const MAPPING: Label = label("规则集的解读", "The rule set's reading");

pub const WARNINGS: Label = label("警示", "Warnings");
pub const CODE: Label = label("代码", "Code");
pub const FIELD: Label = label("字段", "Field");
pub const MESSAGE: Label = label("说明", "Message");
pub const NONE: Label = label("无", "None");
pub const ASSUMPTIONS: Label = label("声明的假设", "Stated assumptions");

pub const FACTOR_ID: Label = label("因子", "Factor");
pub const VALUE: Label = label("取值", "Value");
pub const UNIT: Label = label("单位", "Unit");
pub const ORIGIN: Label = label("来源类型", "Origin");
pub const CITATION: Label = label("出处", "Source");
pub const USED_IN: Label = label("用于计算步骤", "Used in steps");
pub const NOT_IN_FACTOR_LIST: Label = label(
    "计算过程引用，但未列入因子表",
    "referenced by the trace, not listed among the factors used",
);

pub const RECORD_ID: Label = label("记录编号", "Record id");
pub const RECORD_KIND: Label = label("记录类型", "Record kind");
pub const TENANT: Label = label("机构", "Tenant");
pub const SEQUENCE: Label = label("链上序号", "Sequence in chain");
pub const CREATED_AT: Label = label("存储时间", "Stored at");
pub const DIGEST: Label = label("摘要 SHA-256", "Digest SHA-256");
pub const PREVIOUS_DIGEST: Label = label("前一记录摘要", "Previous digest");
pub const SIGNATURE: Label = label("签名 Ed25519", "Signature Ed25519");
pub const KEY_ID: Label = label("密钥编号", "Key id");
pub const NOT_STORED: Label = label(
    "未存储（试算）：此结果没有封印，不能作为证据",
    "Not stored (dry run): this answer has no seal and is not evidence",
);
pub const VERBATIM: Label = label(
    "页面上的数字均为服务返回的十进制原文（整数部分加千分位逗号），未经重新取整；图表由同一组数字绘制。",
    "Every figure on this page is the service's decimal text, printed verbatim but for commas \
     between thousands and never re-rounded; the charts are drawn from the same figures.",
);

const UNSPECIFIED: Label = label("未指定", "unspecified");

pub fn repayment_method(method: pb::RepaymentMethod) -> Label {
    use pb::RepaymentMethod as M;
    match method {
        M::EqualInstalment => label("等额本息", "equal instalments"),
        M::EqualPrincipal => label("等额本金", "equal principal"),
        M::InterestOnlyBullet => label("按期付息、到期还本", "interest only, bullet repayment"),
        M::Unspecified => UNSPECIFIED,
    }
}

pub fn repayment_frequency(frequency: pb::RepaymentFrequency) -> Label {
    use pb::RepaymentFrequency as F;
    match frequency {
        F::Monthly => label("按月", "monthly"),
        F::Quarterly => label("按季", "quarterly"),
        F::SemiAnnual => label("按半年", "semi-annual"),
        F::Annual => label("按年", "annual"),
        F::Unspecified => UNSPECIFIED,
    }
}

pub fn lpr_tenor(tenor: pb::LprTenor) -> Label {
    match tenor {
        pb::LprTenor::LprTenor1y => label("一年期 LPR", "1-year LPR"),
        pb::LprTenor::LprTenor5yPlus => label("五年期以上 LPR", "5-year-plus LPR"),
        pb::LprTenor::Unspecified => UNSPECIFIED,
    }
}

pub fn cash_flow_basis(basis: pb::CashFlowBasis) -> Label {
    match basis {
        pb::CashFlowBasis::ProjectOnly => label("项目自身", "project only"),
        pb::CashFlowBasis::Incremental => {
            label("增量（有无对比）", "incremental (with vs without)")
        }
        pb::CashFlowBasis::Unspecified => UNSPECIFIED,
    }
}

pub fn fertilizer_value_kind(kind: pb::FertilizerValueKind) -> Label {
    match kind {
        pb::FertilizerValueKind::Price => label("肥料销售收入", "fertilizer revenue"),
        pb::FertilizerValueKind::UnitMargin => label("肥料毛利", "fertilizer gross margin"),
        pb::FertilizerValueKind::Unspecified => UNSPECIFIED,
    }
}

pub fn per_tonne_item(item: pb::PerTonneItem) -> Label {
    use pb::PerTonneItem as I;
    match item {
        I::BaselineTreatmentCost => label("原处理成本", "Baseline treatment cost"),
        I::FertilizerIncome => label("肥料收益", "Fertilizer income"),
        I::OperatingCosts => label("运营成本", "Operating costs"),
        I::ProjectNetMargin => label("项目净毛利", "Project net margin"),
        I::SwingFromBaseline => label("较基准的变化", "Swing from baseline"),
        I::OperatingSubsidies => label("运营补贴", "Operating subsidies"),
        I::Unspecified => UNSPECIFIED,
    }
}

pub fn per_tonne_kind(kind: pb::PerTonneKind) -> Label {
    use pb::PerTonneKind as K;
    match kind {
        K::Price => label("价格", "price"),
        K::UnitRevenue => label("单位收入", "unit revenue"),
        K::UnitCost => label("单位成本", "unit cost"),
        K::UnitMargin => label("单位毛利", "unit margin"),
        K::UnitSwing => label("单位变化", "unit swing"),
        K::UnitSubsidy => label("单位补贴", "unit subsidy"),
        K::Unspecified => UNSPECIFIED,
    }
}

pub fn tonne_basis(basis: pb::TonneBasis) -> Label {
    use pb::TonneBasis as B;
    match basis {
        B::FreshManure => label("每吨鲜粪", "per t fresh manure"),
        B::DryMatter => label("每吨干物质", "per t dry matter"),
        B::FinishedProduct => label("每吨成品肥", "per t finished product"),
        B::Unspecified => UNSPECIFIED,
    }
}

pub fn cash_flow_line_kind(kind: pb::CashFlowLineKind) -> Label {
    use pb::CashFlowLineKind as K;
    match kind {
        K::FertilizerIncome => label("肥料收益", "fertilizer income"),
        K::OperatingSubsidy => label("运营补贴", "operating subsidy"),
        K::OperatingCost => label("运营成本", "operating cost"),
        K::AvoidedBaselineCost => label("免除的原处理成本", "baseline cost avoided"),
        K::Unspecified => UNSPECIFIED,
    }
}

pub fn hurdle_status(status: pb::HurdleStatus) -> Label {
    use pb::HurdleStatus as S;
    match status {
        S::NotRequested => label("未设门槛", "no hurdle requested"),
        S::Met => label("达标", "met"),
        S::NotMet => label("未达标", "not met"),
        S::Unspecified => UNSPECIFIED,
    }
}

pub fn gwp_set(set: pb::GwpSet) -> Label {
    match set {
        pb::GwpSet::Ar4 => label("IPCC 第四次评估报告", "IPCC AR4"),
        pb::GwpSet::Ar5 => label("IPCC 第五次评估报告", "IPCC AR5"),
        pb::GwpSet::Ar6 => label("IPCC 第六次评估报告", "IPCC AR6"),
        pb::GwpSet::Unspecified => UNSPECIFIED,
    }
}

pub fn manure_system(system: pb::ManureSystem) -> Label {
    use pb::ManureSystem as S;
    match system {
        S::SolidStorage => label("固体堆存", "solid storage"),
        S::DailySpread => label("每日施用", "daily spread"),
        S::UncoveredAnaerobicLagoon => label("无覆盖厌氧塘", "uncovered anaerobic lagoon"),
        S::CompostingInVessel => label("槽式/反应器堆肥", "composting, in-vessel"),
        S::CompostingStaticPile => label("强制通风静态堆肥", "composting, static pile"),
        S::CompostingIntensiveWindrow => label("条垛堆肥（勤翻）", "composting, intensive windrow"),
        S::CompostingPassiveWindrow => label("条垛堆肥（少翻）", "composting, passive windrow"),
        S::PoultryManureWithoutLitter => label("无垫料禽粪", "poultry manure without litter"),
        S::Unspecified => UNSPECIFIED,
    }
}

pub fn gas(gas: pb::Gas) -> Label {
    match gas {
        pb::Gas::Ch4 => label("甲烷", "CH4"),
        pb::Gas::N2o => label("氧化亚氮", "N2O"),
        pb::Gas::Co2 => label("二氧化碳", "CO2"),
        pb::Gas::Co2e => label("二氧化碳当量", "CO2e"),
        pb::Gas::Unspecified => UNSPECIFIED,
    }
}

pub fn emission_source(source: pb::EmissionSource) -> Label {
    use pb::EmissionSource as S;
    match source {
        S::ManureCh4 => label("粪污甲烷", "manure CH4"),
        S::ManureN2oDirect => label("直接氧化亚氮", "direct N2O"),
        S::ManureN2oVolatilisation => label("挥发间接氧化亚氮", "indirect N2O, volatilised"),
        S::ManureN2oLeaching => label("淋溶间接氧化亚氮", "indirect N2O, leached"),
        S::Electricity => label("电力", "electricity"),
        S::Diesel => label("柴油", "diesel"),
        S::FertilizerN => label("氮肥生产", "N fertilizer manufacture"),
        S::FertilizerP2o5 => label("磷肥生产", "P2O5 fertilizer manufacture"),
        S::FertilizerK2o => label("钾肥生产", "K2O fertilizer manufacture"),
        S::Unspecified => UNSPECIFIED,
    }
}

pub fn factor_origin(origin: pb::FactorOrigin) -> Label {
    use pb::FactorOrigin as O;
    match origin {
        O::FactorSet => label("因子集", "factor set"),
        O::Override => label("请求覆盖", "override"),
        O::DefaultForMissingInput => label("缺省值（未提供实测）", "default for a missing input"),
        O::Unspecified => UNSPECIFIED,
    }
}

pub fn record_kind(kind: pb::RecordKind) -> Label {
    match kind {
        pb::RecordKind::Assessment => label("评估", "assessment"),
        pb::RecordKind::MonitoringReport => label("监测报告", "monitoring report"),
        pb::RecordKind::Unspecified => UNSPECIFIED,
    }
}

pub fn storage_type(storage: pb::StorageType) -> Label {
    use pb::StorageType as S;
    match storage {
        S::OpenPile => label("露天堆放", "open pile"),
        S::CoveredShedImpermeableFloor => {
            label("防渗防雨堆粪棚", "covered shed with an impermeable floor")
        }
        S::LinedLagoon => label("防渗敞口贮存池", "lined lagoon, open"),
        S::UnlinedLagoon => label("无防渗土池", "unlined lagoon"),
        S::SealedVessel => label("密闭罐（容器）", "sealed vessel"),
        S::Unspecified => UNSPECIFIED,
    }
}

pub fn facility_condition(condition: pb::FacilityCondition) -> Label {
    use pb::FacilityCondition as C;
    match condition {
        C::Good => label("良好", "good"),
        C::Fair => label("一般", "fair"),
        C::Poor => label("差", "poor"),
        C::Unspecified => UNSPECIFIED,
    }
}

pub fn leak_prone_change(change: pb::LeakProneChange) -> Label {
    use pb::LeakProneChange as C;
    match change {
        C::Removed => label("易渗漏贮存已消除", "leak-prone storage removed"),
        C::Introduced => label("新增易渗漏贮存", "leak-prone storage introduced"),
        C::StillLeakProne => label("仍易渗漏", "still leak-prone"),
        C::StillNotLeakProne => label("前后均不易渗漏", "not leak-prone before or after"),
        C::Unspecified => UNSPECIFIED,
    }
}

pub fn condition_change(change: pb::ConditionChange) -> Label {
    use pb::ConditionChange as C;
    match change {
        C::Improved => label("改善", "improved"),
        C::Unchanged => label("不变", "unchanged"),
        C::Worsened => label("变差", "worsened"),
        C::Unspecified => UNSPECIFIED,
    }
}

pub fn hj941_medium(medium: pb::Hj941Medium) -> Label {
    match medium {
        pb::Hj941Medium::Air => label("大气", "air"),
        pb::Hj941Medium::Water => label("水", "water"),
        pb::Hj941Medium::Unspecified => UNSPECIFIED,
    }
}

pub fn hj941_grade(grade: pb::Hj941Grade) -> Label {
    use pb::Hj941Grade as G;
    match grade {
        G::General => label("一般环境风险", "general environmental risk"),
        G::Larger => label("较大环境风险", "larger environmental risk"),
        G::Major => label("重大环境风险", "major environmental risk"),
        G::Unspecified => UNSPECIFIED,
    }
}

/// Whose the grade is: the service grades nothing itself, so a grade on the page is always
/// the requester's reading of the standard, and says so.
pub fn hj941_grade_origin(origin: pb::Hj941GradeOrigin) -> Label {
    use pb::Hj941GradeOrigin as O;
    match origin {
        O::NotDetermined => label(
            "未定级：请求未给出等级，本服务不自行定级",
            "not graded: the request states no grade and the service does not grade",
        ),
        O::StatedByRequest => label(
            "请求方所述等级，非本服务定级",
            "stated by the requester, not graded by the service",
        ),
        O::Unspecified => UNSPECIFIED,
    }
}

pub fn rule_status(status: pb::RuleStatus) -> Label {
    use pb::RuleStatus as S;
    match status {
        S::Met => label("符合", "met"),
        S::NotMet => label("不符合", "not met"),
        S::NotEvaluable => label("无法评估", "not evaluable"),
        S::Unspecified => UNSPECIFIED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_is_escaped_and_marked_with_its_language() {
        let html = label("甲 <b>", "a & b").html();
        assert_eq!(
            html,
            r#"<span class="zh" lang="zh-CN">甲 &lt;b&gt;</span> <span class="en" lang="en">a &amp; b</span>"#
        );
    }

    #[test]
    fn every_enum_value_has_both_languages() {
        let labels = [
            repayment_method(pb::RepaymentMethod::EqualPrincipal),
            repayment_frequency(pb::RepaymentFrequency::Quarterly),
            manure_system(pb::ManureSystem::CompostingInVessel),
            emission_source(pb::EmissionSource::Diesel),
            factor_origin(pb::FactorOrigin::Override),
            storage_type(pb::StorageType::LinedLagoon),
            facility_condition(pb::FacilityCondition::Fair),
            leak_prone_change(pb::LeakProneChange::Introduced),
            condition_change(pb::ConditionChange::Worsened),
            hj941_medium(pb::Hj941Medium::Air),
            hj941_grade(pb::Hj941Grade::Major),
            hj941_grade_origin(pb::Hj941GradeOrigin::StatedByRequest),
            rule_status(pb::RuleStatus::NotEvaluable),
        ];
        for l in labels {
            assert!(!l.zh.is_empty() && !l.en.is_empty(), "{l:?}");
            assert!(!l.zh.is_ascii(), "{l:?} has Chinese");
        }
    }
}
