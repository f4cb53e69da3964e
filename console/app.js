// green-impact console: plain JavaScript, no framework, no build step, nothing fetched but
// this server's own API. Every decimal stays text from the wire to the screen: figures are
// grouped with thousand separators on their digits, never parsed into a JS Number.
'use strict';

(() => {

// ---------------------------------------------------------------------------------------------
// Every UI string, zh-CN (default) and English. {0}, {1} ... are filled by t().
// ---------------------------------------------------------------------------------------------

const STRINGS = {
  'zh-CN': {
    'app.title': 'green-impact 控制台',
    'app.subtitle': '农业转型贷款评估控制台',
    'nav.assess': '评估', 'nav.record': '存档记录', 'nav.monitoring': '监测报告',
    'nav.portfolio': '贷款组合', 'nav.service': '服务信息',
    'token.label': '访问令牌', 'token.placeholder': '本地模式无需令牌',
    'lang.other': 'English',

    'assess.title': '评估一笔贷款',
    'assess.intro': '填写贷款与运营数据，或粘贴/上传请求 JSON。金额、比例均以精确小数文本传输。',
    'assess.loadSeed': '载入示例：乐山亚庆（种子案例）',
    'assess.clear': '清空',
    'assess.tabForm': '表单', 'assess.tabJson': '请求 JSON',
    'assess.submit': '评估', 'assess.formToJson': '查看对应的 JSON',
    'assess.uploadJson': '上传 JSON 文件：', 'assess.submitJson': '评估此 JSON',
    'assess.jsonToForm': '载入到表单',
    'assess.kept': '表单之外的字段保留自载入的 JSON：{0}',
    'assess.sending': '正在评估…', 'assess.done': '评估完成（{0}）。',
    'assess.seedLoaded': '已载入种子案例（乐山亚庆），可直接评估或修改后评估。',
    'assess.badJson': '请求 JSON 无法解析：{0}',
    'assess.jsonNotObject': '请求 JSON 必须是一个对象。',

    'sec.ids': '借款人与项目', 'sec.loan': '贷款条件', 'sec.operations': '运营数据',
    'sec.appraisal': '投资评价', 'sec.carbon': '碳减排估算', 'sec.other': '其他',
    'sec.carbonInclude': '估算碳减排',
    'sec.period': '监测期间', 'sec.actual': '期间实际运行数据',

    'f.borrower_id': '借款人编号', 'f.project_id': '项目编号',
    'f.loan.principal': '贷款本金（元）', 'f.loan.fixed_annual_rate_pct': '固定年利率（%）',
    'f.loan.term_months': '期限（月）', 'f.loan.repayment_method': '还款方式',
    'f.loan.repayment_frequency': '还款频率', 'f.loan.first_payment_date': '首期还款日',
    'f.loan.grace_months': '宽限期（月，只付息）', 'f.loan.disbursement_date': '放款日（可选）',
    'f.operations.manure_fresh_t_per_day': '鲜粪处理量（吨/天）',
    'f.operations.operating_days_per_year': '年运行天数',
    'f.operations.manure_dry_matter_fraction': '鲜粪干物质比例（0–1）',
    'f.operations.product_t_per_year': '有机肥产量（吨/年）',
    'f.operations.baseline_treatment_cost_per_t_fresh_manure': '原处理成本（元/吨鲜粪）',
    'f.operations.fertilizer_value.kind': '有机肥价值口径',
    'f.operations.fertilizer_value.per_t_product': '有机肥价值（元/吨产品）',
    'f.appraisal.total_project_investment': '项目总投资（元）',
    'f.appraisal.capex[0].name': '投资项目名称', 'f.appraisal.capex[0].amount': '投资金额（元）',
    'f.appraisal.discount_rate_pct': '折现率（%）', 'f.appraisal.project_life_years': '项目寿命（年）',
    'f.appraisal.cash_flow_basis': '现金流口径', 'f.appraisal.dscr_hurdle': 'DSCR 门槛（可选）',
    'f.carbon.gwp_set': 'GWP 值集', 'f.carbon.manure_management.species': '畜禽种类',
    'f.carbon.manure_management.productivity': '生产力水平',
    'f.carbon.manure_management.productivity_reason': '生产力取值理由',
    'f.carbon.manure_management.climate_zone': '气候区',
    'f.carbon.manure_management.baseline_system': '项目前粪污管理方式',
    'f.carbon.manure_management.project_system': '项目后粪污管理方式',
    'f.stated_assumptions': '声明的假设（每行一条）', 'f.dry_run': '试算（不存档）',
    'f.assessment_record_id': '评估记录编号', 'f.period_start': '期间开始（含）',
    'f.period_end': '期间结束（含）', 'f.actual.operating_days': '运行天数',
    'f.actual.manure_fresh_t': '处理鲜粪（吨）',
    'f.actual.manure_dry_matter_fraction': '实测干物质比例（可选）',
    'f.actual.product_made_t': '产出有机肥（吨）', 'f.actual.product_sold_t': '售出有机肥（吨）',
    'f.actual.realised_value_per_t_product': '实现价值（元/吨产品）',
    'f.actual.operating_costs': '期间运营成本（元，可选）',
    'f.jump_tolerance_fraction': '跳变容差（可选，默认 0.5）',
    'f.choose': '（请选择）',

    'v.required': '必填', 'v.integer': '须为整数', 'v.decimal': '须为小数，如 3.45（不带千分位）',
    'v.date': '日期格式为 YYYY-MM-DD', 'v.enum': '不是可选值之一：{0}',

    'enum.REPAYMENT_METHOD_EQUAL_INSTALMENT': '等额本息',
    'enum.REPAYMENT_METHOD_EQUAL_PRINCIPAL': '等额本金',
    'enum.REPAYMENT_METHOD_INTEREST_ONLY_BULLET': '按期付息、到期还本',
    'enum.REPAYMENT_FREQUENCY_MONTHLY': '按月', 'enum.REPAYMENT_FREQUENCY_QUARTERLY': '按季',
    'enum.REPAYMENT_FREQUENCY_SEMI_ANNUAL': '按半年', 'enum.REPAYMENT_FREQUENCY_ANNUAL': '按年',
    'enum.FERTILIZER_VALUE_KIND_UNIT_MARGIN': '单位毛利', 'enum.FERTILIZER_VALUE_KIND_PRICE': '出厂售价',
    'enum.CASH_FLOW_BASIS_INCREMENTAL': '增量（含不再支付的原处理成本）',
    'enum.CASH_FLOW_BASIS_PROJECT_ONLY': '仅项目自身',
    'enum.GWP_SET_AR4': 'IPCC AR4', 'enum.GWP_SET_AR5': 'IPCC AR5', 'enum.GWP_SET_AR6': 'IPCC AR6',
    'enum.SPECIES_LAYERS': '蛋鸡', 'enum.SPECIES_BROILERS': '肉鸡', 'enum.SPECIES_SWINE': '生猪',
    'enum.SPECIES_DAIRY_CATTLE': '奶牛',
    'enum.PRODUCTIVITY_HIGH': '高', 'enum.PRODUCTIVITY_LOW': '低',
    'enum.CLIMATE_ZONE_COOL_TEMPERATE_MOIST': '冷温带湿润', 'enum.CLIMATE_ZONE_COOL_TEMPERATE_DRY': '冷温带干燥',
    'enum.CLIMATE_ZONE_BOREAL_MOIST': '寒带湿润', 'enum.CLIMATE_ZONE_BOREAL_DRY': '寒带干燥',
    'enum.CLIMATE_ZONE_WARM_TEMPERATE_MOIST': '暖温带湿润', 'enum.CLIMATE_ZONE_WARM_TEMPERATE_DRY': '暖温带干燥',
    'enum.CLIMATE_ZONE_TROPICAL_MONTANE': '热带山地', 'enum.CLIMATE_ZONE_TROPICAL_WET': '热带极湿',
    'enum.CLIMATE_ZONE_TROPICAL_MOIST': '热带湿润', 'enum.CLIMATE_ZONE_TROPICAL_DRY': '热带干燥',
    'enum.MANURE_SYSTEM_SOLID_STORAGE': '固体堆存', 'enum.MANURE_SYSTEM_DAILY_SPREAD': '每日施用',
    'enum.MANURE_SYSTEM_UNCOVERED_ANAEROBIC_LAGOON': '露天厌氧塘',
    'enum.MANURE_SYSTEM_COMPOSTING_IN_VESSEL': '槽式/密闭发酵堆肥',
    'enum.MANURE_SYSTEM_COMPOSTING_STATIC_PILE': '静态堆肥',
    'enum.MANURE_SYSTEM_COMPOSTING_INTENSIVE_WINDROW': '条垛堆肥（频繁翻堆）',
    'enum.MANURE_SYSTEM_COMPOSTING_PASSIVE_WINDROW': '条垛堆肥（少翻堆）',
    'enum.MANURE_SYSTEM_POULTRY_MANURE_WITHOUT_LITTER': '禽粪（无垫料）',
    'enum.HURDLE_STATUS_MET': '达到门槛', 'enum.HURDLE_STATUS_NOT_MET': '未达门槛',
    'enum.HURDLE_STATUS_NOT_REQUESTED': '未设门槛',
    'enum.RECORD_KIND_ASSESSMENT': '评估', 'enum.RECORD_KIND_MONITORING_REPORT': '监测报告',

    'fig.title': '关键指标',
    'fig.fertilizerIncome': '有机肥收入', 'fig.fertilizerIncomeMargin': '有机肥毛利（单位毛利口径）',
    'fig.fertilizerIncomePrice': '有机肥销售收入', 'fig.perYear': '元/年',
    'fig.ratio': '收入 / 原处理成本', 'fig.baselineCost': '原处理成本 {0} 元/年',
    'fig.minDscr': '最低 DSCR', 'fig.hurdle': '门槛 {0}', 'fig.loanYear': '第 {0} 个贷款年',
    'fig.carbon': '碳减排（中值）', 'fig.carbonUnit': 'tCO2e/年', 'fig.range': '区间 [{0}, {1}]',
    'fig.noCarbon': '未请求碳估算',
    'fig.instalment': '首期还款额', 'fig.totalInterest': '利息合计 {0} 元',
    'fig.npv': '净现值 NPV', 'fig.irr': '内部收益率 IRR', 'fig.payback': '静态回收期',
    'fig.years': '年', 'fig.none': '—',
    'fig.record': '存档记录', 'fig.recordPage': '记录页', 'fig.reportPage': '信贷档案报告',
    'fig.dryRun': '试算：未存档', 'fig.versions': '方法 {0}；因子集 {1}；参考数据 {2}',
    'fig.warnings': '提示（{0}）', 'fig.assumptions': '假设（{0}）',
    'fig.dscrTable': '各贷款年的偿债覆盖', 'fig.schedule': '还款计划（{0} 期）',
    'fig.carbonDetail': '碳排放明细（tCO2e/年：低 / 中 / 高）',
    'col.loanYear': '贷款年', 'col.months': '月数', 'col.cashFlow': '可用现金流（元）',
    'col.debtService': '应还本息（元）', 'col.dscr': 'DSCR',
    'col.number': '期', 'col.dueDate': '到期日', 'col.opening': '期初余额', 'col.interest': '利息',
    'col.principal': '本金', 'col.instalment': '还款额', 'col.closing': '期末余额',
    'col.item': '项目', 'col.low': '低', 'col.central': '中', 'col.high': '高',
    'carbon.baseline': '项目前排放', 'carbon.project': '项目后排放（含能耗）',
    'carbon.reduction': '减排量', 'carbon.avoided': '替代化肥生产的避免排放（单列）',
    'carbon.total': '总减排（含避免排放）', 'carbon.pboc': '贷款归属减排（人行口径，份额 {0}）',

    'record.title': '存档记录', 'record.id': '记录编号', 'record.get': '查看',
    'record.verify': '验证', 'record.report': '信贷档案报告',
    'record.needId': '请输入记录编号（rec_ 开头）。', 'record.loading': '正在读取记录…',
    'record.loaded': '已读取记录 {0}。', 'record.seal': '封印（Seal）',
    'record.shared': '已分享给：{0}', 'record.sharedNone': '未分享',
    'record.request': '存档的请求（JSON）', 'record.kind': '类型', 'record.tenant': '租户',
    'record.sequence': '链上序号', 'record.created': '存档时间', 'record.methodology': '方法版本',
    'record.factorSet': '因子集', 'record.subject': '对应评估', 'record.digest': '摘要 SHA-256',
    'record.previous': '上一条摘要', 'record.signature': '签名 Ed25519', 'record.key': '密钥编号',
    'record.borrower': '借款人', 'record.project': '项目',
    'verify.title': '验证结果', 'verify.running': '正在验证…',
    'verify.ok': '验证通过：每一项检查都通过', 'verify.bad': '验证失败：有检查未通过',
    'verify.pass': '通过', 'verify.fail': '未通过',
    'check.digest': '摘要', 'check.signature': '签名', 'check.chain_link': '链接',
    'check.recomputation': '重新计算',
    'report.title': '信贷档案报告', 'report.print': '打印', 'report.loading': '正在生成报告…',
    'report.loaded': '报告已生成。',
    'share.title': '分享给其他机构', 'share.hint': '允许另一租户（如环境交易所）查看和验证这条记录。',
    'share.tenant': '租户', 'share.submit': '分享', 'share.done': '已分享；现可查看者：{0}',
    'share.needTenant': '请输入租户名称。',
    'list.title': '本机构的记录', 'list.load': '列出记录', 'list.more': '下一页',
    'list.empty': '没有记录。',

    'mon.title': '提交监测报告',
    'mon.intro': '一个期间内工厂的实际运行数据，与已存档评估的计划对比；结果存为一条新记录。',
    'mon.example': '填入示例季度', 'mon.submit': '提交', 'mon.sending': '正在提交…',
    'mon.done': '监测报告已计算。', 'mon.result': '监测结果', 'mon.period': '期间 {0} 至 {1}（{2} 天）',
    'mon.planVsActual': '计划与实际', 'mon.flags': '需要核查的标记（{0}）', 'mon.noFlags': '没有标记。',
    'mon.kpis': '可持续挂钩指标', 'mon.achieved': '期间实现减排', 'mon.realisedDscr': '期间实际 DSCR',
    'mon.cashFlow': '期间实现现金流 {0} 元；应还本息 {1} 元',
    'mon.rate': '基准年利率 {0} %，下一期 {1} %',
    'col.name': '指标', 'col.unit': '单位', 'col.plan': '计划', 'col.actual': '实际',
    'col.variance': '差异', 'col.variancePct': '差异 %', 'col.target': '期间目标', 'col.met': '达成',
    'col.step': '利率调整（bp）',
    'yes': '是', 'no': '否',

    'pf.title': '批量评估贷款组合',
    'pf.intro': '上传按模板 “loan-book v1” 填写的 CSV 或 XLSX（首行为列名，列名即 AssessRequest 的字段路径，第一列 row_key），每一行经 /v1/assessments:batch 评估。最多 {0} 行、文件不超过 {1}。',
    'pf.template': '下载模板 loan-book-v1.csv', 'pf.file': '贷款清单（CSV 或 XLSX）：',
    'pf.dryRun': '试算（不存档）', 'pf.run': '逐行评估',
    'pf.needFile': '请先选择一个 CSV 或 XLSX 文件。',
    'pf.tooBig': '文件有 {0} 字节，超过上限 {1} 字节。',
    'pf.tooManyRows': '文件有 {0} 个数据行，超过上限 {1} 行。',
    'pf.noRows': '文件中没有数据行。',
    'pf.notCsv': '只支持 CSV（.csv）与 XLSX（.xlsx）文件。',
    'pf.badEncoding': '文件既不是 UTF-8 也不是 GB18030 编码。',
    'pf.unclosedQuote': '第 {0} 行有未闭合的引号。',
    'pf.missingColumns': '缺少必需的列：{0}',
    'pf.unknownColumns': '不是 loan-book v1 的列：{0}',
    'pf.duplicateColumns': '列名重复：{0}',
    'pf.duplicateKey': 'row_key “{0}” 与第 {1} 行重复',
    'pf.tooManyCells': '该行有 {0} 个单元格，多于列数 {1}',
    'pf.rowError': '第 {0} 行，列 {1}：{2}',
    'pf.rowErrorNoColumn': '第 {0} 行（{1}）：{2}',
    'pf.sending': '正在评估：{0} / {1} 行…',
    'pf.done': '完成：{0} 行成功，{1} 行有误。',
    'pf.summarizing': '正在汇总组合…',
    'pf.rowErrors': '有误的行', 'pf.results': '评估结果', 'pf.download': '下载结果 CSV',
    'pf.summary': '组合汇总（人行披露口径）', 'pf.summaryTotal': '合计',
    'pf.byQuarter': '按放款季度', 'pf.rounding': '取整规则', 'pf.summaryErrors': '未能汇总的项目：{0}',
    'col.row': '行', 'col.loanId': 'row_key', 'col.borrower': '借款人', 'col.record': '记录',
    'col.income': '有机肥收入（元/年）', 'col.ratio': '收入/原成本', 'col.minDscr': '最低 DSCR',
    'col.hurdle': '门槛', 'col.reduction': '减排 中值 [低, 高]（tCO2e/年）',
    'col.quarter': '季度', 'col.projects': '项目数', 'col.loanAmount': '贷款金额（万元）',
    'col.rate': '加权平均利率（%）', 'col.withCarbon': '有碳估算的项目',
    'col.totalReduction': '减排合计 中值 [低, 高]', 'col.attributed': '贷款归属减排 中值 [低, 高]',

    'svc.title': '服务信息', 'svc.load': '刷新', 'svc.key': '服务公钥（Ed25519）',
    'svc.keyId': '密钥编号', 'svc.encoding': '摘要与签名的编码', 'svc.factorSets': '排放因子集',
    'svc.default': '默认', 'svc.builtIn': '内置', 'svc.methodology': '方法学',
    'svc.templates': '{0} 个计算步骤模板；摘要 {1}',
    'col.set': '因子集', 'col.title': '名称', 'col.factors': '因子数',

    'err.network': '无法连接服务器：{0}',
    'err.http': '服务器返回 HTTP {0}',
    'err.unauthenticated': '需要有效的访问令牌（在页面右上角填写）。',
    'err.violations': '以下字段有误：',
    'err.badResponse': '服务器的回答无法解析：{0}',
  },

  en: {
    'app.title': 'green-impact console',
    'app.subtitle': 'Farm transition loan assessment console',
    'nav.assess': 'Assess', 'nav.record': 'Records', 'nav.monitoring': 'Monitoring',
    'nav.portfolio': 'Portfolio', 'nav.service': 'Service',
    'token.label': 'Access token', 'token.placeholder': 'not needed in local mode',
    'lang.other': '中文',

    'assess.title': 'Assess one loan',
    'assess.intro': 'Fill in the loan and operating data, or paste or upload request JSON. Amounts and ratios travel as exact decimal text.',
    'assess.loadSeed': 'Load the example: Leshan Yaqing (seed case)',
    'assess.clear': 'Clear',
    'assess.tabForm': 'Form', 'assess.tabJson': 'Request JSON',
    'assess.submit': 'Assess', 'assess.formToJson': 'Show as JSON',
    'assess.uploadJson': 'Upload a JSON file:', 'assess.submitJson': 'Assess this JSON',
    'assess.jsonToForm': 'Load into the form',
    'assess.kept': 'Fields the form does not show are kept from the loaded JSON: {0}',
    'assess.sending': 'Assessing…', 'assess.done': 'Assessed ({0}).',
    'assess.seedLoaded': 'The seed case (Leshan Yaqing) is loaded: assess it as it is or change it first.',
    'assess.badJson': 'The request JSON does not parse: {0}',
    'assess.jsonNotObject': 'The request JSON must be an object.',

    'sec.ids': 'Borrower and project', 'sec.loan': 'Loan terms', 'sec.operations': 'Operations',
    'sec.appraisal': 'Appraisal', 'sec.carbon': 'Carbon estimate', 'sec.other': 'Other',
    'sec.carbonInclude': 'Estimate the carbon reduction',
    'sec.period': 'Period', 'sec.actual': 'What the plant really did in the period',

    'f.borrower_id': 'Borrower id', 'f.project_id': 'Project id',
    'f.loan.principal': 'Principal (CNY)', 'f.loan.fixed_annual_rate_pct': 'Fixed annual rate (%)',
    'f.loan.term_months': 'Term (months)', 'f.loan.repayment_method': 'Repayment method',
    'f.loan.repayment_frequency': 'Repayment frequency', 'f.loan.first_payment_date': 'First payment date',
    'f.loan.grace_months': 'Grace months (interest only)', 'f.loan.disbursement_date': 'Disbursement date (optional)',
    'f.operations.manure_fresh_t_per_day': 'Fresh manure (t/day)',
    'f.operations.operating_days_per_year': 'Operating days a year',
    'f.operations.manure_dry_matter_fraction': 'Dry-matter fraction (0–1)',
    'f.operations.product_t_per_year': 'Organic fertilizer output (t/year)',
    'f.operations.baseline_treatment_cost_per_t_fresh_manure': 'Baseline treatment cost (CNY/t fresh manure)',
    'f.operations.fertilizer_value.kind': 'Fertilizer value kind',
    'f.operations.fertilizer_value.per_t_product': 'Fertilizer value (CNY/t product)',
    'f.appraisal.total_project_investment': 'Total project investment (CNY)',
    'f.appraisal.capex[0].name': 'Capex item', 'f.appraisal.capex[0].amount': 'Capex amount (CNY)',
    'f.appraisal.discount_rate_pct': 'Discount rate (%)', 'f.appraisal.project_life_years': 'Project life (years)',
    'f.appraisal.cash_flow_basis': 'Cash-flow basis', 'f.appraisal.dscr_hurdle': 'DSCR hurdle (optional)',
    'f.carbon.gwp_set': 'GWP set', 'f.carbon.manure_management.species': 'Species',
    'f.carbon.manure_management.productivity': 'Productivity',
    'f.carbon.manure_management.productivity_reason': 'Why this productivity class',
    'f.carbon.manure_management.climate_zone': 'Climate zone',
    'f.carbon.manure_management.baseline_system': 'Manure system before',
    'f.carbon.manure_management.project_system': 'Manure system after',
    'f.stated_assumptions': 'Stated assumptions (one per line)', 'f.dry_run': 'Dry run (store nothing)',
    'f.assessment_record_id': 'Assessment record id', 'f.period_start': 'Period start (included)',
    'f.period_end': 'Period end (included)', 'f.actual.operating_days': 'Operating days',
    'f.actual.manure_fresh_t': 'Fresh manure treated (t)',
    'f.actual.manure_dry_matter_fraction': 'Measured dry-matter fraction (optional)',
    'f.actual.product_made_t': 'Fertilizer made (t)', 'f.actual.product_sold_t': 'Fertilizer sold (t)',
    'f.actual.realised_value_per_t_product': 'Realised value (CNY/t product)',
    'f.actual.operating_costs': 'Operating costs in the period (CNY, optional)',
    'f.jump_tolerance_fraction': 'Jump tolerance (optional, default 0.5)',
    'f.choose': '(choose)',

    'v.required': 'required', 'v.integer': 'must be a whole number',
    'v.decimal': 'must be a decimal such as 3.45 (no thousand separators)',
    'v.date': 'a date is YYYY-MM-DD', 'v.enum': 'is not one of: {0}',

    'enum.REPAYMENT_METHOD_EQUAL_INSTALMENT': 'Equal instalments',
    'enum.REPAYMENT_METHOD_EQUAL_PRINCIPAL': 'Equal principal',
    'enum.REPAYMENT_METHOD_INTEREST_ONLY_BULLET': 'Interest only, bullet',
    'enum.REPAYMENT_FREQUENCY_MONTHLY': 'Monthly', 'enum.REPAYMENT_FREQUENCY_QUARTERLY': 'Quarterly',
    'enum.REPAYMENT_FREQUENCY_SEMI_ANNUAL': 'Semi-annual', 'enum.REPAYMENT_FREQUENCY_ANNUAL': 'Annual',
    'enum.FERTILIZER_VALUE_KIND_UNIT_MARGIN': 'Unit margin', 'enum.FERTILIZER_VALUE_KIND_PRICE': 'Selling price',
    'enum.CASH_FLOW_BASIS_INCREMENTAL': 'Incremental (with the baseline cost no longer paid)',
    'enum.CASH_FLOW_BASIS_PROJECT_ONLY': 'Project only',
    'enum.GWP_SET_AR4': 'IPCC AR4', 'enum.GWP_SET_AR5': 'IPCC AR5', 'enum.GWP_SET_AR6': 'IPCC AR6',
    'enum.SPECIES_LAYERS': 'Layers', 'enum.SPECIES_BROILERS': 'Broilers', 'enum.SPECIES_SWINE': 'Swine',
    'enum.SPECIES_DAIRY_CATTLE': 'Dairy cattle',
    'enum.PRODUCTIVITY_HIGH': 'High', 'enum.PRODUCTIVITY_LOW': 'Low',
    'enum.CLIMATE_ZONE_COOL_TEMPERATE_MOIST': 'Cool temperate moist', 'enum.CLIMATE_ZONE_COOL_TEMPERATE_DRY': 'Cool temperate dry',
    'enum.CLIMATE_ZONE_BOREAL_MOIST': 'Boreal moist', 'enum.CLIMATE_ZONE_BOREAL_DRY': 'Boreal dry',
    'enum.CLIMATE_ZONE_WARM_TEMPERATE_MOIST': 'Warm temperate moist', 'enum.CLIMATE_ZONE_WARM_TEMPERATE_DRY': 'Warm temperate dry',
    'enum.CLIMATE_ZONE_TROPICAL_MONTANE': 'Tropical montane', 'enum.CLIMATE_ZONE_TROPICAL_WET': 'Tropical wet',
    'enum.CLIMATE_ZONE_TROPICAL_MOIST': 'Tropical moist', 'enum.CLIMATE_ZONE_TROPICAL_DRY': 'Tropical dry',
    'enum.MANURE_SYSTEM_SOLID_STORAGE': 'Solid storage', 'enum.MANURE_SYSTEM_DAILY_SPREAD': 'Daily spread',
    'enum.MANURE_SYSTEM_UNCOVERED_ANAEROBIC_LAGOON': 'Uncovered anaerobic lagoon',
    'enum.MANURE_SYSTEM_COMPOSTING_IN_VESSEL': 'Composting, in-vessel',
    'enum.MANURE_SYSTEM_COMPOSTING_STATIC_PILE': 'Composting, static pile',
    'enum.MANURE_SYSTEM_COMPOSTING_INTENSIVE_WINDROW': 'Composting, intensive windrow',
    'enum.MANURE_SYSTEM_COMPOSTING_PASSIVE_WINDROW': 'Composting, passive windrow',
    'enum.MANURE_SYSTEM_POULTRY_MANURE_WITHOUT_LITTER': 'Poultry manure without litter',
    'enum.HURDLE_STATUS_MET': 'hurdle met', 'enum.HURDLE_STATUS_NOT_MET': 'hurdle not met',
    'enum.HURDLE_STATUS_NOT_REQUESTED': 'no hurdle',
    'enum.RECORD_KIND_ASSESSMENT': 'assessment', 'enum.RECORD_KIND_MONITORING_REPORT': 'monitoring report',

    'fig.title': 'Key figures',
    'fig.fertilizerIncome': 'Fertilizer income', 'fig.fertilizerIncomeMargin': 'Fertilizer gross margin (unit margin)',
    'fig.fertilizerIncomePrice': 'Fertilizer revenue', 'fig.perYear': 'CNY/year',
    'fig.ratio': 'Income / baseline treatment cost', 'fig.baselineCost': 'baseline cost {0} CNY/year',
    'fig.minDscr': 'Minimum DSCR', 'fig.hurdle': 'hurdle {0}', 'fig.loanYear': 'loan year {0}',
    'fig.carbon': 'Carbon reduction (central)', 'fig.carbonUnit': 'tCO2e/year', 'fig.range': 'range [{0}, {1}]',
    'fig.noCarbon': 'no carbon estimate asked for',
    'fig.instalment': 'First instalment', 'fig.totalInterest': 'total interest {0} CNY',
    'fig.npv': 'NPV', 'fig.irr': 'IRR', 'fig.payback': 'Simple payback',
    'fig.years': 'years', 'fig.none': '—',
    'fig.record': 'Stored record', 'fig.recordPage': 'record page', 'fig.reportPage': 'credit-file report',
    'fig.dryRun': 'dry run: nothing stored', 'fig.versions': 'methodology {0}; factor set {1}; reference data {2}',
    'fig.warnings': 'Warnings ({0})', 'fig.assumptions': 'Assumptions ({0})',
    'fig.dscrTable': 'Debt-service cover by loan year', 'fig.schedule': 'Repayment schedule ({0} periods)',
    'fig.carbonDetail': 'Emissions (tCO2e/year: low / central / high)',
    'col.loanYear': 'Loan year', 'col.months': 'Months', 'col.cashFlow': 'Cash flow available (CNY)',
    'col.debtService': 'Debt service (CNY)', 'col.dscr': 'DSCR',
    'col.number': 'No.', 'col.dueDate': 'Due', 'col.opening': 'Opening', 'col.interest': 'Interest',
    'col.principal': 'Principal', 'col.instalment': 'Instalment', 'col.closing': 'Closing',
    'col.item': 'Item', 'col.low': 'Low', 'col.central': 'Central', 'col.high': 'High',
    'carbon.baseline': 'Before the project', 'carbon.project': 'With the project (energy included)',
    'carbon.reduction': 'Emission reduction', 'carbon.avoided': 'Avoided fertilizer manufacture (reported apart)',
    'carbon.total': 'Total reduction (avoided included)', 'carbon.pboc': 'Attributed to the loan (PBoC share {0})',

    'record.title': 'Stored records', 'record.id': 'Record id', 'record.get': 'Get',
    'record.verify': 'Verify', 'record.report': 'Credit-file report',
    'record.needId': 'Enter a record id (starting rec_).', 'record.loading': 'Reading the record…',
    'record.loaded': 'Record {0} read.', 'record.seal': 'Seal',
    'record.shared': 'Shared with: {0}', 'record.sharedNone': 'not shared',
    'record.request': 'Stored request (JSON)', 'record.kind': 'Kind', 'record.tenant': 'Tenant',
    'record.sequence': 'Chain sequence', 'record.created': 'Stored at', 'record.methodology': 'Methodology',
    'record.factorSet': 'Factor set', 'record.subject': 'Assessment reported on', 'record.digest': 'Digest SHA-256',
    'record.previous': 'Previous digest', 'record.signature': 'Signature Ed25519', 'record.key': 'Key id',
    'record.borrower': 'Borrower', 'record.project': 'Project',
    'verify.title': 'Verification', 'verify.running': 'Verifying…',
    'verify.ok': 'Verified: every check passed', 'verify.bad': 'NOT verified: a check failed',
    'verify.pass': 'passed', 'verify.fail': 'FAILED',
    'check.digest': 'Digest', 'check.signature': 'Signature', 'check.chain_link': 'Chain link',
    'check.recomputation': 'Recomputation',
    'report.title': 'Credit-file report', 'report.print': 'Print', 'report.loading': 'Making the report…',
    'report.loaded': 'Report ready.',
    'share.title': 'Share with another institution', 'share.hint': 'Lets another tenant (an environmental exchange) get and verify this record.',
    'share.tenant': 'Tenant', 'share.submit': 'Share', 'share.done': 'Shared; it can now be read by: {0}',
    'share.needTenant': 'Enter a tenant name.',
    'list.title': 'This institution\u2019s records', 'list.load': 'List records', 'list.more': 'Next page',
    'list.empty': 'No records.',

    'mon.title': 'Submit a monitoring report',
    'mon.intro': 'What the plant really did in a period, against a stored assessment\u2019s plan; stored as a record of its own.',
    'mon.example': 'Fill in an example quarter', 'mon.submit': 'Submit', 'mon.sending': 'Submitting…',
    'mon.done': 'Monitoring report computed.', 'mon.result': 'Monitoring result', 'mon.period': 'Period {0} to {1} ({2} days)',
    'mon.planVsActual': 'Plan against actual', 'mon.flags': 'Flags to check ({0})', 'mon.noFlags': 'No flags.',
    'mon.kpis': 'Sustainability-linked KPIs', 'mon.achieved': 'Reduction achieved in the period', 'mon.realisedDscr': 'Realised DSCR in the period',
    'mon.cashFlow': 'realised cash flow {0} CNY; debt service due {1} CNY',
    'mon.rate': 'base annual rate {0} %, next period {1} %',
    'col.name': 'Figure', 'col.unit': 'Unit', 'col.plan': 'Plan', 'col.actual': 'Actual',
    'col.variance': 'Variance', 'col.variancePct': 'Variance %', 'col.target': 'Period target', 'col.met': 'Met',
    'col.step': 'Rate step (bp)',
    'yes': 'yes', 'no': 'no',

    'pf.title': 'Assess a loan book',
    'pf.intro': 'Upload a CSV or XLSX in the "loan-book v1" template (column names in the first row are AssessRequest field paths, the first column row_key); every row is assessed through /v1/assessments:batch. At most {0} rows and {1}.',
    'pf.template': 'Download the template loan-book-v1.csv', 'pf.file': 'Loan book (CSV or XLSX):',
    'pf.dryRun': 'Dry run (store nothing)', 'pf.run': 'Assess every row',
    'pf.needFile': 'Choose a CSV or XLSX file first.',
    'pf.tooBig': 'The file has {0} bytes, over the limit of {1} bytes.',
    'pf.tooManyRows': 'The file has {0} data rows, over the limit of {1}.',
    'pf.noRows': 'The file has no data rows.',
    'pf.notCsv': 'Only CSV (.csv) and XLSX (.xlsx) files are read.',
    'pf.badEncoding': 'The file is neither UTF-8 nor GB18030 text.',
    'pf.unclosedQuote': 'Row {0} has a quote that is never closed.',
    'pf.missingColumns': 'Required columns missing: {0}',
    'pf.unknownColumns': 'Columns that are not in loan-book v1: {0}',
    'pf.duplicateColumns': 'Columns named twice: {0}',
    'pf.duplicateKey': 'row_key "{0}" repeats row {1}',
    'pf.tooManyCells': 'the row has {0} cells, more than the {1} columns',
    'pf.rowError': 'Row {0}, column {1}: {2}',
    'pf.rowErrorNoColumn': 'Row {0} ({1}): {2}',
    'pf.sending': 'Assessing: {0} of {1} rows…',
    'pf.done': 'Done: {0} rows assessed, {1} with errors.',
    'pf.summarizing': 'Summarising the portfolio…',
    'pf.rowErrors': 'Rows with errors', 'pf.results': 'Results', 'pf.download': 'Download the results as CSV',
    'pf.summary': 'Portfolio summary (PBoC disclosure shape)', 'pf.summaryTotal': 'Total',
    'pf.byQuarter': 'By disbursement quarter', 'pf.rounding': 'Rounding', 'pf.summaryErrors': 'Items not summarised: {0}',
    'col.row': 'Row', 'col.loanId': 'row_key', 'col.borrower': 'Borrower', 'col.record': 'Record',
    'col.income': 'Fertilizer income (CNY/yr)', 'col.ratio': 'Income/baseline', 'col.minDscr': 'Min DSCR',
    'col.hurdle': 'Hurdle', 'col.reduction': 'Reduction central [low, high] (tCO2e/yr)',
    'col.quarter': 'Quarter', 'col.projects': 'Projects', 'col.loanAmount': 'Loans (10,000 CNY)',
    'col.rate': 'Weighted average rate (%)', 'col.withCarbon': 'With carbon',
    'col.totalReduction': 'Reduction central [low, high]', 'col.attributed': 'Attributed to loans central [low, high]',

    'svc.title': 'Service', 'svc.load': 'Refresh', 'svc.key': 'Service public key (Ed25519)',
    'svc.keyId': 'Key id', 'svc.encoding': 'Digest and signature encoding', 'svc.factorSets': 'Emission-factor sets',
    'svc.default': 'default', 'svc.builtIn': 'built in', 'svc.methodology': 'Methodology',
    'svc.templates': '{0} trace-step templates; digest {1}',
    'col.set': 'Set', 'col.title': 'Title', 'col.factors': 'Factors',

    'err.network': 'Cannot reach the server: {0}',
    'err.http': 'The server answered HTTP {0}',
    'err.unauthenticated': 'A valid access token is needed (top right of the page).',
    'err.violations': 'Fields in error:',
    'err.badResponse': 'The server\u2019s answer does not parse: {0}',
  },
};

// Strings added with the XLSX loan book, the monitoring JSON tab and the record page.
const MORE_STRINGS = {
  'zh-CN': {
    'pf.templateXlsx': '下载模板 loan-book-v1.xlsx',
    'pf.downloadXlsx': '下载结果 XLSX',
    'pf.xlsxBad': 'XLSX 文件无法读取：{0}',
    'pf.streamError': '批量评估中途中断（已收到的结果保留）：{0}',
    'pf.keyRequired': 'row_key 必填，1 至 128 个字符',
    'pf.reading': '正在读取文件…',
    'pf.version': '模板版本：loan-book v1（列名 = AssessRequest 的 proto3 JSON 字段路径）',
    'col.error': '错误', 'col.status': '结果', 'col.column': '列',
    'v.bool': '须为 true 或 false',
    'v.tooLong': '最多 {0} 个字符',
    'fig.totalInstalments': '还款合计 {0} 元（{1} 期）', 'fig.interestTotal': '利息合计',
    'fig.reduction': '减排量（中值）',
    'fig.breakEven': '盈亏平衡：有机肥价值 {0} 元/吨产品',
    'fig.carbonTotal': '含避免排放的总减排 {0}',
    'mon.tabForm': '表单', 'mon.tabJson': '请求 JSON', 'mon.submitJson': '提交此 JSON',
    'mon.needRecord': '请先完成一次存档评估，或填写评估记录编号。',
    'record.openReport': '在新窗口打开信贷档案报告',
    'record.content': '记录内容',
    'list.open': '查看',
    'svc.loading': '正在读取服务信息…',
    'svc.version': '版本', 'svc.digest': '摘要 SHA-256',
    'err.stream': '流中的错误：{0}',
  },
  en: {
    'pf.templateXlsx': 'Download the template loan-book-v1.xlsx',
    'pf.downloadXlsx': 'Download the results as XLSX',
    'pf.xlsxBad': 'The XLSX file cannot be read: {0}',
    'pf.streamError': 'The batch stopped part way (the results received are kept): {0}',
    'pf.keyRequired': 'row_key is required, 1 to 128 characters',
    'pf.reading': 'Reading the file…',
    'pf.version': 'Template version: loan-book v1 (column names = proto3 JSON field paths of AssessRequest)',
    'col.error': 'Error', 'col.status': 'Outcome', 'col.column': 'Column',
    'v.bool': 'must be true or false',
    'v.tooLong': 'at most {0} characters',
    'fig.totalInstalments': 'total repaid {0} CNY ({1} periods)', 'fig.interestTotal': 'Total interest',
    'fig.reduction': 'Emission reduction (central)',
    'fig.breakEven': 'break-even fertilizer value {0} CNY/t product',
    'fig.carbonTotal': 'total with avoided emissions {0}',
    'mon.tabForm': 'Form', 'mon.tabJson': 'Request JSON', 'mon.submitJson': 'Submit this JSON',
    'mon.needRecord': 'Store an assessment first, or fill in the assessment record id.',
    'record.openReport': 'Open the credit-file report in a new window',
    'record.content': 'Record content',
    'list.open': 'open',
    'svc.loading': 'Reading the service information…',
    'svc.version': 'Version', 'svc.digest': 'Digest SHA-256',
    'err.stream': 'Error in the stream: {0}',
  },
};
Object.assign(STRINGS['zh-CN'], MORE_STRINGS['zh-CN']);
Object.assign(STRINGS.en, MORE_STRINGS.en);

// ---------------------------------------------------------------------------------------------
// Small helpers: DOM building from elements, never from markup text, translation, decimal text.
// ---------------------------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);

function h(tag, props, ...kids) {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'i18n') { el.dataset.i18n = v; el.textContent = t(v); }
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'hidden') el.hidden = true;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid === null || kid === undefined || kid === false) continue;
    el.append(kid instanceof Node ? kid : String(kid));
  }
  return el;
}

const LANG_KEY = 'green-impact.console.lang';
let lang = 'zh-CN';
try { if (localStorage.getItem(LANG_KEY) === 'en') lang = 'en'; } catch (_) { /* storage off */ }

function t(key, ...args) {
  let s = STRINGS[lang][key];
  if (s === undefined) s = STRINGS['zh-CN'][key];
  if (s === undefined) return key;
  return s.replace(/\{(\d+)\}/g, (_, i) => (args[Number(i)] === undefined ? '' : String(args[Number(i)])));
}

// A translation if there is one, else the raw text (enum names, check names).
function tOr(key, fallback) {
  const s = STRINGS[lang][key] ?? STRINGS['zh-CN'][key];
  return s === undefined ? fallback : s;
}

const DECIMAL_RE = /^-?\d+(\.\d+)?$/;
const INT_RE = /^\d+$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

// Groups the integer digits of a decimal TEXT in threes: "2847000.00" -> "2,847,000.00".
// Pure string work: the figure is never turned into a binary floating-point number.
function groupDigits(text) {
  if (typeof text !== 'string' || !DECIMAL_RE.test(text)) return text === undefined || text === null ? '' : String(text);
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  const dot = body.indexOf('.');
  const whole = dot < 0 ? body : body.slice(0, dot);
  const fraction = dot < 0 ? '' : body.slice(dot);
  let grouped = '';
  for (let i = 0; i < whole.length; i++) {
    if (i > 0 && (whole.length - i) % 3 === 0) grouped += ',';
    grouped += whole[i];
  }
  return (negative ? '-' : '') + grouped + fraction;
}

// The text of a Decimal message ({"value": "..."}) or of a bare string.
function dtext(d) {
  if (d === null || d === undefined) return undefined;
  if (typeof d === 'object') return d.value;
  return String(d);
}
// A Decimal for display: grouped, or a dash when absent.
function fmt(d) {
  const s = dtext(d);
  return s === undefined || s === '' ? t('fig.none') : groupDigits(s);
}
function fmtBounds(b) {
  if (!b) return t('fig.none');
  return `${fmt(b.central)} [${fmt(b.low)}, ${fmt(b.high)}]`;
}
function enumText(name) {
  if (!name) return t('fig.none');
  return tOr('enum.' + name, name);
}

// Field paths "a.b[0].c" -> ["a", "b", 0, "c"].
function segments(path) {
  const out = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) { out.push(part); continue; }
    out.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}
function getPath(obj, path) {
  let o = obj;
  for (const s of segments(path)) {
    if (o === null || o === undefined || typeof o !== 'object') return undefined;
    o = o[s];
  }
  return o;
}
function setPath(obj, path, value) {
  const ss = segments(path);
  let o = obj;
  for (let i = 0; i < ss.length - 1; i++) {
    const s = ss[i];
    if (o[s] === null || o[s] === undefined || typeof o[s] !== 'object') o[s] = typeof ss[i + 1] === 'number' ? [] : {};
    o = o[s];
  }
  o[ss[ss.length - 1]] = value;
}
const isEmpty = (v) => v !== null && typeof v === 'object' && (Array.isArray(v) ? v.every((x) => x === undefined || isEmpty(x)) : Object.keys(v).length === 0);
// Removes the value at `path`, then every ancestor on that path left empty.
function deletePath(obj, path) {
  const ss = segments(path);
  const chain = [obj];
  let o = obj;
  for (let i = 0; i < ss.length - 1; i++) {
    if (o === null || o === undefined || typeof o !== 'object') return;
    o = o[ss[i]];
    chain.push(o);
  }
  if (o === null || o === undefined || typeof o !== 'object') return;
  const drop = (parent, key) => {
    if (Array.isArray(parent) && typeof key === 'number') {
      if (key === parent.length - 1) parent.pop(); else parent[key] = {};
    } else delete parent[key];
  };
  drop(o, ss[ss.length - 1]);
  for (let i = ss.length - 2; i >= 0; i--) {
    const parent = chain[i];
    const child = parent[ss[i]];
    if (child !== undefined && isEmpty(child)) drop(parent, ss[i]); else break;
  }
}
// Leaf paths of a JSON value, for saying which loaded fields the form does not show.
function leafPaths(v, prefix, out) {
  if (v !== null && typeof v === 'object') {
    if (Array.isArray(v)) v.forEach((x, i) => leafPaths(x, `${prefix}[${i}]`, out));
    else {
      const keys = Object.keys(v);
      if (keys.length === 0 && prefix) out.push(prefix);
      for (const k of keys) leafPaths(v[k], prefix ? `${prefix}.${k}` : k, out);
    }
  } else if (prefix) out.push(prefix);
  return out;
}
const snake = (k) => k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
// Input accepts lowerCamelCase too; the form works on proto names.
function snakeKeys(v) {
  if (Array.isArray(v)) return v.map(snakeKeys);
  if (v !== null && typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) out[snake(k)] = snakeKeys(x);
    return out;
  }
  return v;
}
const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

function download(anchor, name, blob) {
  if (anchor.dataset.url) URL.revokeObjectURL(anchor.dataset.url);
  const url = URL.createObjectURL(blob);
  anchor.dataset.url = url;
  anchor.href = url;
  anchor.download = name;
}

function setStatus(id, text) { $(id).textContent = text || ''; }

// ---------------------------------------------------------------------------------------------
// The API: proto3 JSON over HTTP, bearer token from sessionStorage, Google JSON errors.
// ---------------------------------------------------------------------------------------------

const TOKEN_KEY = 'green-impact.console.token';

function token() {
  try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch (_) { return $('token').value.trim(); }
}

class ApiError extends Error {
  constructor(message, info) {
    super(message);
    this.http = info.http;
    this.code = info.code;
    this.status = info.status || '';
    this.violations = info.violations || [];
  }
}

// The Google JSON error model: {"error": {code, message, status, details: [BadRequest...]}}.
function errorFromModel(e, http) {
  const violations = [];
  for (const d of Array.isArray(e.details) ? e.details : []) {
    const list = d && (d.fieldViolations || d.field_violations);
    if (Array.isArray(list)) {
      for (const v of list) violations.push({ field: String(v.field || ''), description: String(v.description || '') });
    }
  }
  return new ApiError(String(e.message || e.status || t('err.http', http)), {
    http, code: e.code, status: e.status, violations,
  });
}

function errorFromBody(http, text) {
  let body = null;
  try { body = JSON.parse(text); } catch (_) { /* not JSON */ }
  if (body && body.error && typeof body.error === 'object') return errorFromModel(body.error, http);
  const snippet = text ? ': ' + text.slice(0, 300) : '';
  return new ApiError(t('err.http', http) + snippet, { http });
}

async function call(method, path, body, opts = {}) {
  const headers = { Accept: opts.ndjsonOut ? 'application/x-ndjson' : 'application/json' };
  const tok = token();
  if (tok) headers.Authorization = 'Bearer ' + tok;
  let payload;
  if (body !== undefined) {
    if (opts.ndjson) { headers['Content-Type'] = 'application/x-ndjson'; payload = body; }
    else { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    throw new ApiError(t('err.network', e.message), {});
  }
  if (!res.ok) throw errorFromBody(res.status, await res.text());
  if (opts.raw) return res;
  const text = await res.text();
  if (opts.text) return text;
  try { return text ? JSON.parse(text) : {}; } catch (e) {
    throw new ApiError(t('err.badResponse', e.message), { http: res.status });
  }
}

// Reads an NDJSON response line by line as it arrives.
async function readLines(res, onLine) {
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (value) {
      buf += value;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (line) onLine(line);
      }
    }
    if (done) break;
  }
  if (buf.trim()) onLine(buf.trim());
}

function showError(box, err) {
  box.replaceChildren();
  if (!err) return;
  const head = [];
  if (err.status) head.push(h('strong', { text: err.status }), ' ');
  if (err.http) head.push(h('span', { class: 'mono', text: `HTTP ${err.http}` }), ' ');
  box.append(h('div', null, head, h('span', { text: err.message })));
  if (err.status === 'UNAUTHENTICATED' || err.http === 401) box.append(h('div', { text: t('err.unauthenticated') }));
  if (err.violations && err.violations.length) {
    box.append(h('div', { text: t('err.violations') }),
      h('ul', null, err.violations.map((v) => h('li', null, h('code', { text: v.field || '—' }), ': ', v.description))));
  }
}
function plainError(box, message) { showError(box, new ApiError(message, {})); }

// ---------------------------------------------------------------------------------------------
// Forms built from field lists: one place says what a field is, its proto path and its type.
// ---------------------------------------------------------------------------------------------

const ENUMS = {
  REPAYMENT_METHOD: ['EQUAL_INSTALMENT', 'EQUAL_PRINCIPAL', 'INTEREST_ONLY_BULLET'],
  REPAYMENT_FREQUENCY: ['MONTHLY', 'QUARTERLY', 'SEMI_ANNUAL', 'ANNUAL'],
  FERTILIZER_VALUE_KIND: ['UNIT_MARGIN', 'PRICE'],
  CASH_FLOW_BASIS: ['INCREMENTAL', 'PROJECT_ONLY'],
  GWP_SET: ['AR6', 'AR5', 'AR4'],
  SPECIES: ['LAYERS', 'BROILERS', 'SWINE', 'DAIRY_CATTLE'],
  PRODUCTIVITY: ['LOW', 'HIGH'],
  CLIMATE_ZONE: ['WARM_TEMPERATE_MOIST', 'WARM_TEMPERATE_DRY', 'COOL_TEMPERATE_MOIST',
    'COOL_TEMPERATE_DRY', 'BOREAL_MOIST', 'BOREAL_DRY', 'TROPICAL_MONTANE', 'TROPICAL_WET',
    'TROPICAL_MOIST', 'TROPICAL_DRY'],
  MANURE_SYSTEM: ['SOLID_STORAGE', 'DAILY_SPREAD', 'UNCOVERED_ANAEROBIC_LAGOON',
    'COMPOSTING_IN_VESSEL', 'COMPOSTING_STATIC_PILE', 'COMPOSTING_INTENSIVE_WINDROW',
    'COMPOSTING_PASSIVE_WINDROW', 'POULTRY_MANURE_WITHOUT_LITTER'],
};
const enumNames = (type) => ENUMS[type].map((s) => `${type}_${s}`);

// [section, [path, type, options]]; type is text | money | decimal | int | enum:TYPE | date |
// lines | bool. Money paths name the Money message; decimals the Decimal message.
const ASSESS_FIELDS = [
  ['ids', [
    ['borrower_id', 'text'], ['project_id', 'text'],
  ]],
  ['loan', [
    ['loan.principal', 'money'], ['loan.fixed_annual_rate_pct', 'decimal'],
    ['loan.term_months', 'int'], ['loan.repayment_method', 'enum:REPAYMENT_METHOD'],
    ['loan.repayment_frequency', 'enum:REPAYMENT_FREQUENCY'], ['loan.first_payment_date', 'date'],
    ['loan.grace_months', 'int', { optional: true }], ['loan.disbursement_date', 'date', { optional: true }],
  ]],
  ['operations', [
    ['operations.manure_fresh_t_per_day', 'decimal'], ['operations.operating_days_per_year', 'int'],
    ['operations.manure_dry_matter_fraction', 'decimal'], ['operations.product_t_per_year', 'decimal'],
    ['operations.baseline_treatment_cost_per_t_fresh_manure', 'money'],
    ['operations.fertilizer_value.kind', 'enum:FERTILIZER_VALUE_KIND'],
    ['operations.fertilizer_value.per_t_product', 'money'],
  ]],
  ['appraisal', [
    ['appraisal.total_project_investment', 'money'], ['appraisal.capex[0].name', 'text'],
    ['appraisal.capex[0].amount', 'money'], ['appraisal.discount_rate_pct', 'decimal'],
    ['appraisal.project_life_years', 'int'], ['appraisal.cash_flow_basis', 'enum:CASH_FLOW_BASIS'],
    ['appraisal.dscr_hurdle', 'decimal', { optional: true }],
  ]],
  ['carbon', [
    ['carbon.gwp_set', 'enum:GWP_SET'], ['carbon.manure_management.species', 'enum:SPECIES'],
    ['carbon.manure_management.productivity', 'enum:PRODUCTIVITY'],
    ['carbon.manure_management.productivity_reason', 'text', { wide: true }],
    ['carbon.manure_management.climate_zone', 'enum:CLIMATE_ZONE'],
    ['carbon.manure_management.baseline_system', 'enum:MANURE_SYSTEM'],
    ['carbon.manure_management.project_system', 'enum:MANURE_SYSTEM'],
  ], { toggle: 'carbon' }],
  ['other', [
    ['stated_assumptions', 'lines', { wide: true, optional: true }], ['dry_run', 'bool'],
  ]],
];

const MONITORING_FIELDS = [
  ['period', [
    ['assessment_record_id', 'text', { wide: true }], ['period_start', 'date'], ['period_end', 'date'],
  ]],
  ['actual', [
    ['actual.operating_days', 'int'], ['actual.manure_fresh_t', 'decimal'],
    ['actual.manure_dry_matter_fraction', 'decimal', { optional: true }],
    ['actual.product_made_t', 'decimal'], ['actual.product_sold_t', 'decimal'],
    ['actual.realised_value_per_t_product', 'money'],
    ['actual.operating_costs', 'money', { optional: true }],
  ]],
  ['other', [
    ['jump_tolerance_fraction', 'decimal', { optional: true }], ['dry_run', 'bool'],
  ]],
];

const domId = (prefix, path) => prefix + '-' + path.replace(/[^a-z0-9]+/gi, '-');

class FieldForm {
  constructor(prefix, sections, container) {
    this.prefix = prefix;
    this.sections = sections;
    this.container = container;
    this.fields = [];
    this.toggles = {};
    this.base = {};
    this.render();
  }

  render() {
    for (const [section, fields, opts] of this.sections) {
      const grid = h('div', { class: 'fields' });
      const legend = h('legend', { i18n: 'sec.' + section });
      const fs = h('fieldset', { 'data-section': section }, legend);
      if (opts && opts.toggle) {
        const box = h('input', { type: 'checkbox', id: domId(this.prefix, 'toggle-' + section), checked: true });
        box.addEventListener('change', () => this.syncToggle(section));
        this.toggles[section] = { box, grid };
        fs.append(h('label', { class: 'field check' }, box, ' ', h('span', { i18n: 'sec.carbonInclude' })));
      }
      fs.append(grid);
      for (const [path, type, o] of fields) {
        const id = domId(this.prefix, path);
        const options = o || {};
        let input;
        if (type.startsWith('enum:')) {
          const ename = type.slice(5);
          input = h('select', { id },
            h('option', { value: '', i18n: 'f.choose' }),
            enumNames(ename).map((n) => h('option', { value: n, 'data-i18n': 'enum.' + n, text: enumText(n) })));
        } else if (type === 'lines') {
          input = h('textarea', { id, rows: 4, spellcheck: 'false' });
        } else if (type === 'bool') {
          input = h('input', { id, type: 'checkbox' });
        } else {
          input = h('input', {
            id, type: 'text', autocomplete: 'off', spellcheck: 'false',
            inputmode: type === 'int' || type === 'decimal' || type === 'money' ? 'decimal' : null,
            placeholder: type === 'date' ? 'YYYY-MM-DD' : null,
            class: type === 'money' || type === 'decimal' || type === 'int' ? 'num' : null,
          });
        }
        input.dataset.path = path;
        const msg = h('div', { class: 'violation', id: id + '-msg' });
        const label = h('label', { for: id, 'data-i18n': 'f.' + path, text: t('f.' + path) });
        const pathNote = h('span', { class: 'path mono', text: type === 'money' ? path + '.amount' : path });
        const wrap = type === 'bool'
          ? h('div', { class: 'field check' }, input, label, msg)
          : h('div', { class: 'field' + (options.wide ? ' wide' : '') }, label, input, pathNote, msg);
        grid.append(wrap);
        this.fields.push({ path, type, options, input, msg, section });
      }
      this.container.append(fs);
    }
  }

  syncToggle(section) {
    const tg = this.toggles[section];
    for (const f of this.fields) if (f.section === section) f.input.disabled = !tg.box.checked;
  }

  clear() {
    this.base = {};
    for (const f of this.fields) {
      if (f.type === 'bool') f.input.checked = false; else f.input.value = '';
    }
    for (const s of Object.keys(this.toggles)) { this.toggles[s].box.checked = true; this.syncToggle(s); }
    this.clearMarks();
  }

  // Fills the form from a request object; what the form has no field for stays in `base`.
  fill(request) {
    this.base = clone(request) || {};
    for (const f of this.fields) {
      const v = getPath(request, f.path);
      let text = '';
      if (f.type === 'money') text = dtext(v && v.amount) || '';
      else if (f.type === 'decimal') text = dtext(v) || '';
      else if (f.type === 'lines') text = Array.isArray(v) ? v.join('\n') : '';
      else if (f.type === 'bool') { f.input.checked = v === true; continue; }
      else if (v !== undefined && v !== null) text = String(v);
      f.input.value = text;
    }
    for (const s of Object.keys(this.toggles)) {
      this.toggles[s].box.checked = request[s] !== undefined;
      this.syncToggle(s);
    }
    this.clearMarks();
  }

  // The paths loaded from JSON that no form field shows (they are sent unchanged).
  kept() {
    const shown = this.fields.map((f) => f.path);
    return leafPaths(this.base, '', []).filter((p) => !shown.some((s) => p === s || p.startsWith(s + '.') || p.startsWith(s + '[')));
  }

  // The request: `base` with every field of the form written over it. Returns {request, errors}.
  read() {
    const req = clone(this.base) || {};
    const errors = [];
    for (const [s, tg] of Object.entries(this.toggles)) {
      if (!tg.box.checked) delete req[s];
    }
    for (const f of this.fields) {
      if (f.input.disabled) continue;
      if (f.type === 'bool') {
        if (f.input.checked) setPath(req, f.path, true); else deletePath(req, f.path);
        continue;
      }
      const raw = f.input.value;
      const text = f.type === 'lines' ? raw : raw.trim();
      if (text === '') { deletePath(req, f.path); continue; }
      const bad = cellProblem(f.type, text);
      if (bad) { errors.push({ field: f.type === 'money' ? f.path + '.amount' : f.path, description: bad }); continue; }
      setPath(req, f.path, encodeValue(f.type, text, getPath(req, f.path)));
    }
    return { request: req, errors };
  }

  clearMarks() {
    for (const f of this.fields) { f.input.removeAttribute('aria-invalid'); f.msg.textContent = ''; }
  }

  // Marks the fields a list of violations names; returns the violations no field shows.
  mark(violations) {
    this.clearMarks();
    const rest = [];
    for (const v of violations || []) {
      const f = this.fields.find((x) => v.field === x.path || v.field.startsWith(x.path + '.') || v.field.startsWith(x.path + '['))
        || this.fields.find((x) => x.path.startsWith(v.field + '.') || x.path.startsWith(v.field + '['));
      if (!f) { rest.push(v); continue; }
      f.input.setAttribute('aria-invalid', 'true');
      f.msg.textContent = (f.msg.textContent ? f.msg.textContent + '; ' : '') + v.description;
    }
    return rest;
  }
}

// What is wrong with the text of one cell or input of a type, or null.
function cellProblem(type, text) {
  if (type === 'int' && !INT_RE.test(text)) return t('v.integer');
  if ((type === 'decimal' || type === 'money') && !DECIMAL_RE.test(text)) return t('v.decimal');
  if (type === 'date' && !DATE_RE.test(text)) return t('v.date');
  if (type.startsWith('enum:') && !normaliseEnum(type.slice(5), text)) {
    return t('v.enum', ENUMS[type.slice(5)].join(', '));
  }
  if (type === 'bool' && !/^(true|false|1|0|yes|no)$/i.test(text)) return t('v.bool');
  return null;
}

// An enum cell: its full name or the name without the type prefix, any case.
function normaliseEnum(type, text) {
  const up = text.trim().toUpperCase().replace(/[\s-]+/g, '_');
  const names = enumNames(type);
  if (names.includes(up)) return up;
  if (names.includes(`${type}_${up}`)) return `${type}_${up}`;
  return null;
}

// The proto3 JSON value of a typed text, for a field whose current value is `old`.
function encodeValue(type, text, old) {
  if (type === 'money') return { currency_code: (old && old.currency_code) || 'CNY', amount: { value: text } };
  if (type === 'decimal') return { value: text };
  if (type === 'int') return Number(text);
  if (type.startsWith('enum:')) return normaliseEnum(type.slice(5), text);
  if (type === 'lines') return text.split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
  if (type === 'bool') return /^(true|1|yes)$/i.test(text);
  return text;
}

function tabs(formTab, jsonTab, formPane, jsonPane, onJson) {
  const select = (json) => {
    formTab.setAttribute('aria-selected', String(!json));
    jsonTab.setAttribute('aria-selected', String(json));
    formPane.hidden = json;
    jsonPane.hidden = !json;
    if (json && onJson) onJson();
  };
  formTab.addEventListener('click', () => select(false));
  jsonTab.addEventListener('click', () => select(true));
  return select;
}

function parseJsonObject(text) {
  let v;
  try { v = JSON.parse(text); } catch (e) { throw new Error(t('assess.badJson', e.message)); }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(t('assess.jsonNotObject'));
  return v;
}

// ---------------------------------------------------------------------------------------------
// Rendering of answers. Each page keeps its last answer, so switching language redraws it.
// ---------------------------------------------------------------------------------------------

const state = {
  assess: null, record: null, verify: null, list: null, mon: null, svc: null,
  pf: null, lastRecordId: '',
};
const redraws = [];

function figure(key, label, value, unit, ...subs) {
  return h('div', { class: 'figure', 'data-figure': key },
    h('div', { class: 'label', text: label }),
    h('div', null, h('span', { class: 'value', text: value }), unit ? h('span', { class: 'unit', text: unit }) : null),
    subs.filter(Boolean).map((s) => h('div', { class: 'sub' }, s)));
}

function table(headers, rows, numeric) {
  const num = new Set(numeric || []);
  return h('div', { class: 'table-wrap' }, h('table', null,
    h('thead', null, h('tr', null, headers.map((x, i) => h('th', { class: num.has(i) ? 'num' : null, text: x })))),
    h('tbody', null, rows.map((r) => h('tr', null, r.map((c, i) => h('td', { class: num.has(i) ? 'num' : null }, c)))))));
}

function kv(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter((p) => p).map(([k, v]) => [h('dt', { text: k }), h('dd', null, v)]));
}

function hurdleBadge(status) {
  if (!status) return null;
  const cls = status === 'HURDLE_STATUS_MET' ? 'ok' : status === 'HURDLE_STATUS_NOT_MET' ? 'bad' : 'neutral';
  return h('span', { class: 'badge ' + cls, text: enumText(status) });
}

// A new tab cannot send the Authorization header: with a token, the report is asked for by a
// form posting it (never in the URL), and the page opens under its own security policy.
function openReport(href) {
  const tok = token();
  if (!tok) { window.open(href, '_blank', 'noopener'); return; }
  const form = h('form', { method: 'POST', action: href, target: '_blank', rel: 'noopener' },
    h('input', { type: 'hidden', name: 'token', value: tok }));
  document.body.appendChild(form);
  form.submit();
  form.remove();
}

document.addEventListener('click', (ev) => {
  const link = ev.target.closest && ev.target.closest('a.report-link');
  if (!link || !token()) return;
  ev.preventDefault();
  openReport(link.getAttribute('href'));
});

function recordLinks(id) {
  return h('div', { class: 'row record-links' },
    h('span', { text: t('fig.record') + ':' }),
    h('code', { class: 'record-id', text: id }),
    h('a', { href: '#/record/' + encodeURIComponent(id), text: t('fig.recordPage') }),
    h('a', { href: '/console/report/' + encodeURIComponent(id), target: '_blank', rel: 'noopener', class: 'report-link', text: t('fig.reportPage') }));
}

// The key figures, warnings and details of an AssessResponse.
function renderAssessment(resp) {
  const out = [];
  const ctr = resp.cost_to_revenue || {};
  const dsc = resp.debt_service_cover || {};
  const inv = resp.investment_returns || {};
  const loan = resp.loan || {};
  const carbon = resp.carbon;
  out.push(h('h2', { text: t('fig.title') }));
  if (resp.record && resp.record.record_id) out.push(recordLinks(resp.record.record_id));
  else out.push(h('p', null, h('span', { class: 'badge neutral', text: t('fig.dryRun') })));

  const incomeLabel = ctr.fertilizer_value_kind === 'FERTILIZER_VALUE_KIND_PRICE' ? t('fig.fertilizerIncomePrice')
    : ctr.fertilizer_value_kind === 'FERTILIZER_VALUE_KIND_UNIT_MARGIN' ? t('fig.fertilizerIncomeMargin') : t('fig.fertilizerIncome');
  const figs = [
    figure('fertilizer_income_cny_per_year', incomeLabel, fmt(ctr.fertilizer_income_cny_per_year), t('fig.perYear'),
      dsc.break_even ? t('fig.breakEven', fmt(dsc.break_even.fertilizer_value_cny_per_t_product)) : null),
    figure('income_to_baseline_cost_ratio', t('fig.ratio'), fmt(ctr.income_to_baseline_cost_ratio), '',
      t('fig.baselineCost', fmt(ctr.baseline_treatment_cost_cny_per_year))),
    figure('min_dscr', t('fig.minDscr'), fmt(dsc.min_dscr), '',
      dsc.min_dscr_loan_year ? t('fig.loanYear', dsc.min_dscr_loan_year) : null,
      h('span', null, dsc.dscr_hurdle ? t('fig.hurdle', fmt(dsc.dscr_hurdle)) + ' ' : '', hurdleBadge(dsc.hurdle_status))),
  ];
  if (carbon && carbon.reduction) {
    const r = carbon.reduction;
    figs.push(figure('emission_reduction', t('fig.reduction'), fmt(r.emission_reduction_tco2e_per_year && r.emission_reduction_tco2e_per_year.central),
      t('fig.carbonUnit'),
      r.emission_reduction_tco2e_per_year ? t('fig.range', fmt(r.emission_reduction_tco2e_per_year.low), fmt(r.emission_reduction_tco2e_per_year.high)) : null,
      r.total_tco2e_per_year ? t('fig.carbonTotal', fmt(r.total_tco2e_per_year.central)) : null));
  } else {
    figs.push(figure('emission_reduction', t('fig.carbon'), t('fig.none'), '', t('fig.noCarbon')));
  }
  const first = Array.isArray(loan.periods) && loan.periods[0];
  figs.push(figure('loan', first ? t('fig.instalment') : t('fig.interestTotal'),
    first ? fmt(first.instalment_cny) : fmt(loan.total_interest_cny), t('fig.perYear').replace(/\/.*/, ''),
    first ? t('fig.totalInterest', fmt(loan.total_interest_cny)) : null,
    t('fig.totalInstalments', fmt(loan.total_instalments_cny), loan.period_count || '')));
  figs.push(figure('npv', t('fig.npv'), fmt(inv.npv_cny), t('fig.perYear').replace(/\/.*/, ''),
    `${t('fig.irr')} ${inv.irr_pct ? fmt(inv.irr_pct) + ' %' : t('fig.none')}`,
    `${t('fig.payback')} ${inv.simple_payback_years ? fmt(inv.simple_payback_years) + ' ' + t('fig.years') : t('fig.none')}`));
  out.push(h('div', { class: 'figures' }, figs));
  out.push(h('p', { class: 'hint', text: t('fig.versions', resp.methodology_version || '', resp.factor_set || '', resp.reference_data_version || '') }));

  const warnings = resp.warnings || [];
  out.push(h('h3', { text: t('fig.warnings', warnings.length) }));
  if (warnings.length) {
    out.push(h('ul', { class: 'warnings' }, warnings.map((w) => h('li', { 'data-code': w.code },
      h('code', { text: w.code }), w.field ? [' ', h('span', { class: 'mono path', text: w.field })] : null, ': ', w.message))));
  }

  if (Array.isArray(dsc.years) && dsc.years.length) {
    out.push(h('details', { open: true }, h('summary', { text: t('fig.dscrTable') }),
      table([t('col.loanYear'), t('col.months'), t('col.cashFlow'), t('col.debtService'), t('col.dscr')],
        dsc.years.map((y) => [String(y.loan_year), String(y.months), fmt(y.cash_flow_available_cny), fmt(y.debt_service_cny), fmt(y.dscr)]),
        [1, 2, 3, 4])));
  }
  if (Array.isArray(loan.periods) && loan.periods.length) {
    out.push(h('details', null, h('summary', { text: t('fig.schedule', loan.periods.length) }),
      table([t('col.number'), t('col.dueDate'), t('col.opening'), t('col.interest'), t('col.principal'), t('col.instalment'), t('col.closing')],
        loan.periods.map((p) => [String(p.number), p.due_date, fmt(p.opening_balance_cny), fmt(p.interest_cny), fmt(p.principal_cny), fmt(p.instalment_cny), fmt(p.closing_balance_cny)]),
        [0, 2, 3, 4, 5, 6])));
  }
  if (carbon) {
    const b3 = (b) => (b ? [fmt(b.low), fmt(b.central), fmt(b.high)] : ['', '', '']);
    const r = carbon.reduction || {};
    const a = carbon.attribution || {};
    const rows = [
      [t('carbon.baseline'), ...b3(carbon.baseline && carbon.baseline.total_tco2e_per_year)],
      [t('carbon.project'), ...b3(carbon.project && carbon.project.total_tco2e_per_year)],
      [t('carbon.reduction'), ...b3(r.emission_reduction_tco2e_per_year)],
      [t('carbon.avoided'), ...b3(r.avoided_tco2e_per_year)],
      [t('carbon.total'), ...b3(r.total_tco2e_per_year)],
      [t('carbon.pboc', fmt(a.pboc_loan_share)), ...b3(a.pboc_attributed_total_tco2e_per_year)],
    ];
    out.push(h('details', null, h('summary', { text: t('fig.carbonDetail') }),
      table([t('col.item'), t('col.low'), t('col.central'), t('col.high')], rows, [1, 2, 3])));
  }
  const assumptions = resp.stated_assumptions || [];
  if (assumptions.length) {
    out.push(h('details', null, h('summary', { text: t('fig.assumptions', assumptions.length) }),
      h('ol', null, assumptions.map((s) => h('li', { text: s })))));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Assess page
// ---------------------------------------------------------------------------------------------

let assessForm;
let selectAssessTab;

function showKept() {
  const kept = assessForm.kept();
  $('assess-kept').textContent = kept.length ? t('assess.kept', kept.join(', ')) : '';
}

async function loadSeed() {
  $('assess-error').replaceChildren();
  try {
    const seed = await call('GET', '/console/seed.json');
    assessForm.fill(snakeKeys(seed));
    $('assess-json').value = JSON.stringify(seed, null, 2);
    showKept();
    setStatus('assess-status', t('assess.seedLoaded'));
  } catch (err) {
    showError($('assess-error'), err);
  }
}

async function submitAssess(request) {
  const box = $('assess-error');
  box.replaceChildren();
  setStatus('assess-status', t('assess.sending'));
  $('assess-result').hidden = true;
  for (const b of [$('assess-submit'), $('assess-json-submit')]) b.disabled = true;
  try {
    const resp = await call('POST', '/v1/assessments:assess', request);
    state.assess = resp;
    if (resp.record && resp.record.record_id) rememberRecord(resp.record.record_id);
    drawAssess();
    setStatus('assess-status', t('assess.done', resp.record ? resp.record.record_id : t('fig.dryRun')));
  } catch (err) {
    setStatus('assess-status', '');
    showError(box, err);
    assessForm.mark(err.violations);
  } finally {
    for (const b of [$('assess-submit'), $('assess-json-submit')]) b.disabled = false;
  }
}

function drawAssess() {
  const panel = $('assess-result');
  if (!state.assess) { panel.hidden = true; return; }
  panel.replaceChildren(...renderAssessment(state.assess));
  panel.hidden = false;
}

function rememberRecord(id) {
  state.lastRecordId = id;
  if (!$('record-id').value) $('record-id').value = id;
  const mon = $(domId('mf', 'assessment_record_id'));
  if (mon && !mon.value) mon.value = id;
}

function initAssess() {
  assessForm = new FieldForm('af', ASSESS_FIELDS, $('assess-fields'));
  selectAssessTab = tabs($('tab-form'), $('tab-json'), $('assess-form'), $('assess-json-pane'));
  $('load-seed').addEventListener('click', loadSeed);
  $('assess-clear').addEventListener('click', () => {
    assessForm.clear(); $('assess-json').value = ''; showKept();
    $('assess-error').replaceChildren(); setStatus('assess-status', '');
    state.assess = null; drawAssess();
  });
  $('assess-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const { request, errors } = assessForm.read();
    if (errors.length) {
      const err = new ApiError(t('err.violations'), { violations: errors });
      showError($('assess-error'), err);
      assessForm.mark(errors);
      return;
    }
    assessForm.clearMarks();
    submitAssess(request);
  });
  $('form-to-json').addEventListener('click', () => {
    $('assess-json').value = JSON.stringify(assessForm.read().request, null, 2);
    selectAssessTab(true);
  });
  $('json-to-form').addEventListener('click', () => {
    try {
      assessForm.fill(snakeKeys(parseJsonObject($('assess-json').value)));
      showKept();
      selectAssessTab(false);
      $('assess-error').replaceChildren();
    } catch (e) { plainError($('assess-error'), e.message); }
  });
  $('assess-json-submit').addEventListener('click', () => {
    try { submitAssess(parseJsonObject($('assess-json').value)); } catch (e) { plainError($('assess-error'), e.message); }
  });
  $('assess-json-file').addEventListener('change', async (ev) => {
    const file = ev.target.files && ev.target.files[0];
    if (!file) return;
    $('assess-json').value = await file.text();
  });
  redraws.push(drawAssess, showKept);
}

// ---------------------------------------------------------------------------------------------
// Record page: get, verify, share, list, report.
// ---------------------------------------------------------------------------------------------

function recordId() {
  const id = $('record-id').value.trim();
  if (!id) { plainError($('record-error'), t('record.needId')); return ''; }
  return id;
}

function sealPairs(seal) {
  return [
    [t('record.id'), h('code', { text: seal.record_id })],
    [t('record.kind'), enumText(seal.kind)],
    [t('record.tenant'), seal.tenant],
    [t('record.sequence'), String(seal.sequence ?? '')],
    [t('record.created'), seal.created_at],
    [t('record.borrower'), seal.borrower_id],
    [t('record.project'), seal.project_id],
    [t('record.methodology'), seal.methodology_version],
    [t('record.factorSet'), seal.factor_set],
    seal.subject_record_id ? [t('record.subject'), h('a', { href: '#/record/' + encodeURIComponent(seal.subject_record_id), text: seal.subject_record_id })] : null,
    [t('record.digest'), h('code', { text: seal.digest_sha256 })],
    [t('record.previous'), h('code', { text: seal.previous_digest_sha256 })],
    [t('record.signature'), h('code', { text: seal.signature_ed25519 })],
    [t('record.key'), h('code', { text: seal.key_id })],
  ];
}

async function getRecord(id) {
  $('record-error').replaceChildren();
  setStatus('record-status', t('record.loading'));
  try {
    state.record = await call('GET', '/v1/assessments/' + encodeURIComponent(id));
    drawRecord();
    setStatus('record-status', t('record.loaded', id));
  } catch (err) {
    state.record = null; drawRecord();
    setStatus('record-status', '');
    showError($('record-error'), err);
  }
}

function drawRecord() {
  const panel = $('record-view');
  const rec = state.record;
  if (!rec) { panel.hidden = true; return; }
  const seal = rec.seal || {};
  const parts = [
    h('h2', { text: t('record.content') }),
    h('div', { class: 'row' },
      h('a', { href: '/console/report/' + encodeURIComponent(seal.record_id || ''), target: '_blank', rel: 'noopener', class: 'button report-link', text: t('record.openReport') })),
    h('h3', { text: t('record.seal') }), kv(sealPairs(seal)),
    h('p', { text: (rec.shared_with && rec.shared_with.length) ? t('record.shared', rec.shared_with.join(', ')) : t('record.sharedNone') }),
  ];
  if (rec.assessment) {
    if (rec.assessment.response) parts.push(...renderAssessment(Object.assign({}, rec.assessment.response, { record: seal })));
    parts.push(h('details', null, h('summary', { text: t('record.request') }),
      h('pre', { class: 'json mono', text: JSON.stringify(rec.assessment.request, null, 2) })));
  } else if (rec.monitoring_report) {
    if (rec.monitoring_report.result) parts.push(...renderMonitoring({ result: rec.monitoring_report.result }));
    parts.push(h('details', null, h('summary', { text: t('record.request') }),
      h('pre', { class: 'json mono', text: JSON.stringify(rec.monitoring_report.request, null, 2) })));
  }
  panel.replaceChildren(...parts);
  panel.hidden = false;
}

async function verifyRecord(id) {
  $('record-error').replaceChildren();
  setStatus('record-status', t('verify.running'));
  try {
    state.verify = await call('POST', '/v1/assessments/' + encodeURIComponent(id) + ':verify', {});
    drawVerify();
    setStatus('record-status', '');
  } catch (err) {
    state.verify = null; drawVerify();
    setStatus('record-status', '');
    showError($('record-error'), err);
  }
}

function drawVerify() {
  const panel = $('verify-result');
  const v = state.verify;
  if (!v) { panel.hidden = true; return; }
  const checks = v.checks || [];
  panel.replaceChildren(
    h('h2', { text: t('verify.title') }),
    v.seal ? h('p', null, h('code', { text: v.seal.record_id })) : null,
    h('p', { class: 'verdict ' + (v.verified ? 'ok' : 'bad'), 'data-verified': String(!!v.verified), text: v.verified ? t('verify.ok') : t('verify.bad') }),
    h('ul', { class: 'checks' }, checks.map((c) => h('li', { class: c.passed ? 'pass' : 'fail', 'data-check': c.name },
      h('span', { class: 'mark', text: c.passed ? '\u2713' : '\u2717' }),
      h('strong', { text: tOr('check.' + c.name, c.name) }), ' ',
      h('span', { class: 'badge ' + (c.passed ? 'ok' : 'bad'), text: c.passed ? t('verify.pass') : t('verify.fail') }),
      h('span', { class: 'detail', text: c.detail || '' })))));
  panel.hidden = false;
}

async function shareRecord() {
  const box = $('share-error');
  box.replaceChildren();
  setStatus('share-status', '');
  const id = recordId();
  if (!id) return;
  const tenant = $('share-tenant').value.trim();
  if (!tenant) { plainError(box, t('share.needTenant')); return; }
  try {
    const r = await call('POST', '/v1/assessments/' + encodeURIComponent(id) + ':share', { with_tenant: tenant });
    setStatus('share-status', t('share.done', (r.shared_with || []).join(', ')));
  } catch (err) { showError(box, err); }
}

async function listRecords(more) {
  const box = $('list-error');
  box.replaceChildren();
  const q = new URLSearchParams({ page_size: '50' });
  if (more && state.list && state.list.next) q.set('page_token', state.list.next);
  try {
    const r = await call('GET', '/v1/assessments?' + q.toString());
    const records = (more && state.list ? state.list.records : []).concat(r.records || []);
    state.list = { records, next: r.next_page_token || '' };
    drawList();
  } catch (err) { showError(box, err); }
}

function drawList() {
  const l = state.list;
  const el = $('list-table');
  if (!l) { el.replaceChildren(); return; }
  $('list-more').hidden = !l.next;
  if (!l.records.length) { el.replaceChildren(h('p', { text: t('list.empty') })); return; }
  el.replaceChildren(table(
    [t('record.sequence'), t('record.id'), t('record.kind'), t('record.created'), t('record.borrower'), t('record.project'), ''],
    l.records.map((s) => [String(s.sequence ?? ''), h('code', { text: s.record_id }), enumText(s.kind), s.created_at, s.borrower_id, s.project_id,
      h('a', { href: '#/record/' + encodeURIComponent(s.record_id), text: t('list.open') })]),
    [0]));
}

function initRecord() {
  $('record-form').addEventListener('submit', (ev) => { ev.preventDefault(); const id = recordId(); if (id) getRecord(id); });
  $('record-verify').addEventListener('click', () => { const id = recordId(); if (id) verifyRecord(id); });
  $('record-report').addEventListener('click', () => {
    const id = recordId();
    if (id) openReport('/console/report/' + encodeURIComponent(id));
  });
  $('share-form').addEventListener('submit', (ev) => { ev.preventDefault(); shareRecord(); });
  $('list-load').addEventListener('click', () => listRecords(false));
  $('list-more').addEventListener('click', () => listRecords(true));
  redraws.push(drawRecord, drawVerify, drawList);
}

// ---------------------------------------------------------------------------------------------
// Monitoring page
// ---------------------------------------------------------------------------------------------

let monForm;
let selectMonTab;

function renderMonitoring(answer) {
  const r = answer.result || {};
  const out = [h('h2', { text: t('mon.result') })];
  if (answer.record && answer.record.record_id) out.push(recordLinks(answer.record.record_id));
  out.push(h('p', { text: t('mon.period', r.period_start || '', r.period_end || '', r.period_days || '') }));
  out.push(h('div', { class: 'figures' },
    figure('realised_dscr', t('mon.realisedDscr'), fmt(r.realised_dscr), '',
      t('mon.cashFlow', fmt(r.realised_cash_flow_cny), fmt(r.debt_service_due_cny))),
    figure('achieved_reduction', t('mon.achieved'), fmt(r.achieved_emission_reduction_tco2e && r.achieved_emission_reduction_tco2e.central), 'tCO2e',
      r.achieved_emission_reduction_tco2e ? t('fig.range', fmt(r.achieved_emission_reduction_tco2e.low), fmt(r.achieved_emission_reduction_tco2e.high)) : null),
    figure('rate', t('col.rate'), fmt(r.next_period_annual_rate_pct), '%', t('mon.rate', fmt(r.base_annual_rate_pct), fmt(r.next_period_annual_rate_pct)))));
  const figs = r.figures || [];
  if (figs.length) {
    out.push(h('h3', { text: t('mon.planVsActual') }),
      table([t('col.name'), t('col.unit'), t('col.plan'), t('col.actual'), t('col.variance'), t('col.variancePct')],
        figs.map((f) => [f.name, f.unit, fmt(f.plan), fmt(f.actual), fmt(f.variance), fmt(f.variance_pct)]), [2, 3, 4, 5]));
  }
  const flags = r.flags || [];
  out.push(h('h3', { text: t('mon.flags', flags.length) }));
  out.push(flags.length
    ? h('ul', { class: 'warnings' }, flags.map((w) => h('li', { 'data-code': w.code }, h('code', { text: w.code }), ': ', w.message)))
    : h('p', { class: 'hint', text: t('mon.noFlags') }));
  const kpis = r.kpis || [];
  if (kpis.length) {
    out.push(h('h3', { text: t('mon.kpis') }),
      table([t('col.name'), t('col.target'), t('col.actual'), t('col.met'), t('col.step')],
        kpis.map((k) => [k.name, fmt(k.period_target), fmt(k.actual), k.met ? t('yes') : t('no'), String(k.rate_step_bps ?? 0)]), [1, 2, 4]));
  }
  return out;
}

function drawMon() {
  const panel = $('mon-result');
  if (!state.mon) { panel.hidden = true; return; }
  panel.replaceChildren(...renderMonitoring(state.mon));
  panel.hidden = false;
}

async function submitMonitoring(request) {
  const box = $('mon-error');
  box.replaceChildren();
  setStatus('mon-status', t('mon.sending'));
  try {
    state.mon = await call('POST', '/v1/monitoringReports', request);
    drawMon();
    setStatus('mon-status', t('mon.done'));
  } catch (err) {
    setStatus('mon-status', '');
    showError(box, err);
    monForm.mark(err.violations);
  }
}

function initMonitoring() {
  // A JSON pane beside the form, as on the Assess page.
  const formPane = $('mon-form');
  const jsonPane = h('div', { id: 'mon-json-pane', hidden: true },
    h('textarea', { id: 'mon-json', class: 'json', spellcheck: 'false', 'aria-label': 'SubmitMonitoringReportRequest JSON' }),
    h('div', { class: 'row' }, h('button', { type: 'button', class: 'primary', id: 'mon-json-submit', i18n: 'mon.submitJson' })));
  const formTab = h('button', { type: 'button', role: 'tab', id: 'mon-tab-form', 'aria-selected': 'true', i18n: 'mon.tabForm' });
  const jsonTab = h('button', { type: 'button', role: 'tab', id: 'mon-tab-json', 'aria-selected': 'false', i18n: 'mon.tabJson' });
  formPane.before(h('div', { class: 'tabs mt', role: 'tablist' }, formTab, jsonTab));
  formPane.after(jsonPane);
  monForm = new FieldForm('mf', MONITORING_FIELDS, $('mon-fields'));
  selectMonTab = tabs(formTab, jsonTab, formPane, jsonPane, () => {
    $('mon-json').value = JSON.stringify(monForm.read().request, null, 2);
  });
  $('mon-example').addEventListener('click', () => {
    const id = $(domId('mf', 'assessment_record_id')).value.trim() || state.lastRecordId;
    monForm.fill({
      assessment_record_id: id,
      period_start: '2025-07-01', period_end: '2025-09-30',
      actual: {
        operating_days: 92,
        manure_fresh_t: { value: '8280' },
        product_made_t: { value: '2760' },
        product_sold_t: { value: '2700' },
        realised_value_per_t_product: { currency_code: 'CNY', amount: { value: '255' } },
      },
      dry_run: true,
    });
    if (!id) plainError($('mon-error'), t('mon.needRecord')); else $('mon-error').replaceChildren();
  });
  formPane.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const { request, errors } = monForm.read();
    if (errors.length) {
      showError($('mon-error'), new ApiError(t('err.violations'), { violations: errors }));
      monForm.mark(errors);
      return;
    }
    submitMonitoring(request);
  });
  $('mon-json-submit').addEventListener('click', () => {
    try { submitMonitoring(parseJsonObject($('mon-json').value)); } catch (e) { plainError($('mon-error'), e.message); }
  });
  redraws.push(drawMon);
}

// ---------------------------------------------------------------------------------------------
// Service page
// ---------------------------------------------------------------------------------------------

async function loadService() {
  const box = $('svc-error');
  box.replaceChildren();
  $('svc-body').replaceChildren(h('p', { class: 'status', text: t('svc.loading') }));
  const results = await Promise.allSettled([
    call('GET', '/v1/serviceKey'), call('GET', '/v1/methodology'), call('GET', '/v1/factorSets'),
  ]);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) showError(box, failed.reason);
  state.svc = results.map((r) => (r.status === 'fulfilled' ? r.value : null));
  drawService();
}

function drawService() {
  const body = $('svc-body');
  if (!state.svc) { body.replaceChildren(); return; }
  const [key, meth, sets] = state.svc;
  const parts = [];
  if (key) {
    parts.push(h('h3', { text: t('svc.key') }), kv([
      [t('svc.keyId'), h('code', { class: 'key-id', text: key.key_id })],
      [t('svc.key'), h('code', { class: 'public-key', text: key.public_key_ed25519 })],
      [t('svc.encoding'), key.canonical_encoding],
    ]));
  }
  if (meth) {
    parts.push(h('h3', { text: t('svc.methodology') }), kv([
      [t('svc.version'), h('code', { text: meth.methodology_version })],
      [t('svc.digest'), h('code', { text: meth.digest_sha256 })],
      ['', t('svc.templates', (meth.step_templates || []).length, (meth.digest_sha256 || '').slice(0, 16) + '…')],
    ]));
  }
  if (sets) {
    parts.push(h('h3', { text: t('svc.factorSets') }),
      table([t('col.set'), t('col.title'), t('col.factors'), ''],
        (sets.factor_sets || []).map((s) => [h('code', { text: s.name }), s.title, String(s.factor_count ?? ''),
          [s.is_default ? h('span', { class: 'badge ok', text: t('svc.default') }) : null, ' ',
            s.built_in ? h('span', { class: 'badge neutral', text: t('svc.builtIn') }) : null]]), [2]));
  }
  body.replaceChildren(...parts);
}

function initService() {
  $('svc-load').addEventListener('click', loadService);
  redraws.push(drawService);
}

// ---------------------------------------------------------------------------------------------
// Portfolio: the loan-book v1 template, CSV and XLSX in and out, AssessBatch, SummarizePortfolio.
// ---------------------------------------------------------------------------------------------

const MAX_FILE_BYTES = 10 * 1024 * 1024;
const MAX_ROWS = 10000;
// Unzipped parts of an XLSX may be larger than the file; past this it is refused (zip bomb).
const MAX_UNZIPPED_BYTES = 200 * 1024 * 1024;
const MAX_KEY_CHARS = 128;

// loan-book v1: every column but row_key is the proto3 JSON path of an AssessRequest field, as
// field violations name it. A money column is the path of the amount ("loan.principal.amount",
// CNY); a decimal column the path of the Decimal message (its text goes to ".value").
// console/loan-book-v1.csv has these columns, in this order (docs/console.md).
const LOAN_BOOK_V1 = [
  ['row_key', 'key'],
  ['borrower_id', 'text'], ['project_id', 'text'],
  ['loan.principal.amount', 'money'], ['loan.fixed_annual_rate_pct', 'decimal'],
  ['loan.term_months', 'int'], ['loan.repayment_method', 'enum:REPAYMENT_METHOD'],
  ['loan.repayment_frequency', 'enum:REPAYMENT_FREQUENCY'], ['loan.first_payment_date', 'date'],
  ['loan.grace_months', 'int'], ['loan.disbursement_date', 'date'],
  ['operations.manure_fresh_t_per_day', 'decimal'], ['operations.operating_days_per_year', 'int'],
  ['operations.manure_dry_matter_fraction', 'decimal'], ['operations.product_t_per_day', 'decimal'],
  ['operations.product_t_per_year', 'decimal'],
  ['operations.baseline_treatment_cost_per_t_fresh_manure.amount', 'money'],
  ['operations.fertilizer_value.kind', 'enum:FERTILIZER_VALUE_KIND'],
  ['operations.fertilizer_value.per_t_product.amount', 'money'],
  ['operations.composting_dry_matter_loss_fraction', 'decimal'],
  ['appraisal.total_project_investment.amount', 'money'], ['appraisal.capex[0].name', 'text'],
  ['appraisal.capex[0].amount.amount', 'money'], ['appraisal.discount_rate_pct', 'decimal'],
  ['appraisal.project_life_years', 'int'], ['appraisal.cash_flow_basis', 'enum:CASH_FLOW_BASIS'],
  ['appraisal.dscr_hurdle', 'decimal'],
  ['carbon.factor_set', 'text'], ['carbon.gwp_set', 'enum:GWP_SET'],
  ['carbon.manure_management.species', 'enum:SPECIES'],
  ['carbon.manure_management.productivity', 'enum:PRODUCTIVITY'],
  ['carbon.manure_management.productivity_reason', 'text'],
  ['carbon.manure_management.climate_zone', 'enum:CLIMATE_ZONE'],
  ['carbon.manure_management.baseline_system', 'enum:MANURE_SYSTEM'],
  ['carbon.manure_management.project_system', 'enum:MANURE_SYSTEM'],
  ['stated_assumptions', 'lines'],
];
const COLUMN_TYPES = new Map(LOAN_BOOK_V1);

function columnLetter(index) {
  let n = index + 1;
  let s = '';
  while (n > 0) { const m = (n - 1) % 26; s = String.fromCharCode(65 + m) + s; n = Math.floor((n - 1) / 26); }
  return s;
}
function columnIndex(letters) {
  let n = 0;
  for (const c of letters) n = n * 26 + (c.charCodeAt(0) - 64);
  return n - 1;
}

// Sets one cell of a row into the request under construction.
function applyCell(request, column, type, text) {
  if (type === 'money') {
    const moneyPath = column.replace(/\.amount$/, '');
    setPath(request, moneyPath, { currency_code: 'CNY', amount: { value: text } });
  } else if (type === 'decimal') {
    setPath(request, column, { value: text });
  } else {
    setPath(request, column, encodeValue(type, text));
  }
}

// CSV (RFC 4180): rows of cells; quotes may hold commas, quotes ("") and line breaks.
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { cell += '"'; i += 2; continue; }
        quoted = false; i++; continue;
      }
      cell += c; i++; continue;
    }
    if (c === '"' && cell === '') { quoted = true; i++; continue; }
    if (c === ',') { row.push(cell); cell = ''; i++; continue; }
    if (c === '\r' || c === '\n') {
      row.push(cell); rows.push(row); row = []; cell = '';
      if (c === '\r' && text[i + 1] === '\n') i++;
      i++; continue;
    }
    cell += c; i++;
  }
  if (quoted) throw new Error(t('pf.unclosedQuote', rows.length + 1));
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

function decodeText(bytes) {
  try { return new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch (_) { /* not UTF-8 */ }
  try { return new TextDecoder('gb18030', { fatal: true }).decode(bytes); } catch (_) { /* neither */ }
  throw new Error(t('pf.badEncoding'));
}

function csvCell(v) {
  let s = v === undefined || v === null ? '' : String(v);
  if (/^[=+@]/.test(s) || (/^-/.test(s) && !DECIMAL_RE.test(s))) s = "'" + s;
  return /[",\r\n]/.test(s) || s !== s.trim() ? '"' + s.replace(/"/g, '""') + '"' : s;
}
function toCsv(rows) { return '\ufeff' + rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n'; }

// --- zip ------------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();
function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// A zip of stored (uncompressed) entries: [name, Uint8Array][] -> Uint8Array.
function zipStored(files) {
  const enc = new TextEncoder();
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, data] of files) {
    const nameBytes = enc.encode(name);
    const crc = crc32(data);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);           // version needed
    local.setUint16(6, 0x0800, true);       // UTF-8 names
    local.setUint16(8, 0, true);            // stored
    local.setUint16(10, 0, true);           // time
    local.setUint16(12, 0x21, true);        // date 1980-01-01
    local.setUint32(14, crc, true);
    local.setUint32(18, data.length, true);
    local.setUint32(22, data.length, true);
    local.setUint16(26, nameBytes.length, true);
    local.setUint16(28, 0, true);
    const central = new DataView(new ArrayBuffer(46));
    central.setUint32(0, 0x02014b50, true);
    central.setUint16(4, 20, true);
    central.setUint16(6, 20, true);
    central.setUint16(8, 0x0800, true);
    central.setUint16(10, 0, true);
    central.setUint16(12, 0, true);
    central.setUint16(14, 0x21, true);
    central.setUint32(16, crc, true);
    central.setUint32(20, data.length, true);
    central.setUint32(24, data.length, true);
    central.setUint16(28, nameBytes.length, true);
    central.setUint32(42, offset, true);
    locals.push(new Uint8Array(local.buffer), nameBytes, data);
    centrals.push(new Uint8Array(central.buffer), nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const centralSize = centrals.reduce((s, b) => s + b.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, files.length, true);
  end.setUint16(10, files.length, true);
  end.setUint32(12, centralSize, true);
  end.setUint32(16, offset, true);
  const parts = [...locals, ...centrals, new Uint8Array(end.buffer)];
  const out = new Uint8Array(parts.reduce((s, b) => s + b.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

// The entries of a zip: name -> async () => Uint8Array. Stored and deflated entries only.
function unzip(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) { end = i; break; }
  }
  if (end < 0) throw new Error('not a zip file (no end of central directory)');
  const count = view.getUint16(end + 10, true);
  let p = view.getUint32(end + 16, true);
  if (p === 0xffffffff) throw new Error('ZIP64 is not supported');
  const entries = new Map();
  const dec = new TextDecoder();
  let budget = MAX_UNZIPPED_BYTES;
  for (let k = 0; k < count; k++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50) throw new Error('bad central directory');
    const method = view.getUint16(p + 10, true);
    const compSize = view.getUint32(p + 20, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const localAt = view.getUint32(p + 42, true);
    const name = dec.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
    entries.set(name, async () => {
      if (view.getUint32(localAt, true) !== 0x04034b50) throw new Error('bad local header: ' + name);
      const start = localAt + 30 + view.getUint16(localAt + 26, true) + view.getUint16(localAt + 28, true);
      const data = bytes.subarray(start, start + compSize);
      if (method === 0) return data;
      if (method !== 8) throw new Error(`compression method ${method} of ${name} is not supported`);
      const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
      const reader = stream.getReader();
      const chunks = [];
      let total = 0;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        total += value.length;
        budget -= value.length;
        if (budget < 0) { reader.cancel(); throw new Error('unzipped parts larger than ' + MAX_UNZIPPED_BYTES + ' bytes'); }
        chunks.push(value);
      }
      const out = new Uint8Array(total);
      let at = 0;
      for (const c of chunks) { out.set(c, at); at += c.length; }
      return out;
    });
  }
  return entries;
}

// --- xlsx -----------------------------------------------------------------------------------

function parseXml(text, what) {
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length) throw new Error(what + ' is not well-formed XML');
  return doc;
}
const byTag = (node, tag) => Array.from(node.getElementsByTagNameNS('*', tag));
function textOf(node) {
  // Rich text runs concatenated; phonetic runs (rPh) left out.
  return byTag(node, 't').filter((x) => !(x.parentNode && x.parentNode.localName === 'rPh')).map((x) => x.textContent).join('');
}

// A number as Excel stores it (a double written as text, maybe with an exponent) as plain
// decimal text with at most 15 significant digits, as Excel shows it. String work only.
function xlsxNumberText(v) {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(v.trim());
  if (!m) return v.trim();
  const sign = m[1];
  let digits = (m[2] || '') + (m[3] || '');
  let point = (m[2] || '').length + Number(m[4] || 0); // digits before the decimal point
  const lead = digits.match(/^0*/)[0].length;
  digits = digits.slice(lead);
  point -= lead;
  if (!digits.replace(/0/g, '')) return '0';
  if (digits.length > 15) {
    const keep = digits.slice(0, 15).split('').map(Number);
    if (Number(digits[15]) >= 5) {
      let i = 14;
      while (i >= 0 && keep[i] === 9) { keep[i] = 0; i--; }
      if (i < 0) { keep.unshift(1); point++; } else keep[i]++;
    }
    digits = keep.join('').slice(0, 15);
  }
  digits = digits.replace(/0+$/, '');
  let whole;
  let frac;
  if (point <= 0) { whole = '0'; frac = '0'.repeat(-point) + digits; }
  else if (point >= digits.length) { whole = digits + '0'.repeat(point - digits.length); frac = ''; }
  else { whole = digits.slice(0, point); frac = digits.slice(point); }
  return sign + whole + (frac ? '.' + frac : '');
}

// A date cell typed as a date is a serial day number: 1900 system (day 1 = 1900-01-01, with
// Excel's phantom 1900-02-29) or 1904 system.
function serialToDate(text, date1904) {
  if (!/^\d+(\.0+)?$/.test(text)) return null;
  const serial = parseInt(text, 10);
  const base = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  const d = new Date(base + serial * 86400000);
  return d.toISOString().slice(0, 10);
}

async function readXlsx(bytes) {
  const entries = unzip(bytes);
  const read = async (name) => {
    const get = entries.get(name);
    return get ? new TextDecoder().decode(await get()) : null;
  };
  const workbook = await read('xl/workbook.xml');
  if (workbook === null) throw new Error('no xl/workbook.xml');
  const wb = parseXml(workbook, 'xl/workbook.xml');
  const pr = byTag(wb, 'workbookPr')[0];
  const date1904 = !!pr && /^(1|true)$/.test(pr.getAttribute('date1904') || '');
  let sheetPath = 'xl/worksheets/sheet1.xml';
  const firstSheet = byTag(wb, 'sheet')[0];
  const rels = await read('xl/_rels/workbook.xml.rels');
  if (firstSheet && rels) {
    const rid = firstSheet.getAttributeNS('http://schemas.openxmlformats.org/officeDocument/2006/relationships', 'id')
      || firstSheet.getAttribute('r:id');
    const rel = byTag(parseXml(rels, 'workbook.xml.rels'), 'Relationship').find((r) => r.getAttribute('Id') === rid);
    if (rel) {
      const target = rel.getAttribute('Target');
      sheetPath = target.startsWith('/') ? target.slice(1) : 'xl/' + target.replace(/^\.\//, '');
    }
  }
  const shared = [];
  const sst = await read('xl/sharedStrings.xml');
  if (sst !== null) for (const si of byTag(parseXml(sst, 'sharedStrings.xml'), 'si')) shared.push(textOf(si));
  const sheetText = await read(sheetPath);
  if (sheetText === null) throw new Error('no worksheet ' + sheetPath);
  const sheet = parseXml(sheetText, sheetPath);
  const rows = [];
  let nextRow = 1;
  for (const r of byTag(sheet, 'row')) {
    const rowNumber = Number(r.getAttribute('r')) || nextRow;
    nextRow = rowNumber + 1;
    const cells = [];
    const kinds = [];
    let nextCol = 0;
    for (const c of Array.from(r.children).filter((x) => x.localName === 'c')) {
      const ref = c.getAttribute('r');
      const col = ref ? columnIndex(ref.replace(/\d+$/, '')) : nextCol;
      nextCol = col + 1;
      const type = c.getAttribute('t') || 'n';
      const v = Array.from(c.children).find((x) => x.localName === 'v');
      let value = '';
      let kind = 'text';
      if (type === 's') value = shared[Number(v ? v.textContent : -1)] ?? '';
      else if (type === 'inlineStr') value = Array.from(c.children).filter((x) => x.localName === 'is').map(textOf).join('');
      else if (type === 'b') value = v && v.textContent === '1' ? 'true' : 'false';
      else if (type === 'str' || type === 'e') value = v ? v.textContent : '';
      else if (v) { value = xlsxNumberText(v.textContent); kind = 'number'; }
      cells[col] = value;
      kinds[col] = kind;
    }
    for (let i = 0; i < cells.length; i++) if (cells[i] === undefined) cells[i] = '';
    rows[rowNumber - 1] = { cells, kinds };
  }
  const out = [];
  for (let i = 0; i < rows.length; i++) out.push(rows[i] || { cells: [], kinds: [] });
  return { rows: out.map((r) => r.cells), kinds: out.map((r) => r.kinds), date1904 };
}

const xmlEscape = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]))
  // Characters XML 1.0 cannot hold at all.
  .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

// A spreadsheet holds a number as a double and shows at most 15 significant digits, so a
// decimal with more would be opened rounded: such a one is written as text, exact.
function xlsxExactNumber(text) {
  if (!DECIMAL_RE.test(text)) return false;
  const significant = text.replace(/[-.]/g, '').replace(/^0+/, '').replace(/0+$/, '');
  return significant.length <= 15;
}

function decimalPlaces(text) {
  const point = text.indexOf('.');
  return point < 0 ? 0 : text.length - point - 1;
}

// Cell style k + 1 shows a number with k decimal places (0 to 28, a Decimal's scales), so a
// number cell shows the server's text, trailing zeros and all (2847000.00, not 2847000).
const XLSX_MAX_PLACES = 28;
function xlsxStyles(head) {
  const places = [...Array(XLSX_MAX_PLACES + 1).keys()];
  const code = (k) => (k ? '0.' + '0'.repeat(k) : '0');
  return head + '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    + `<numFmts count="${places.length}">`
    + places.map((k) => `<numFmt numFmtId="${164 + k}" formatCode="${code(k)}"/>`).join('') + '</numFmts>'
    + '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    + '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    + '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    + `<cellXfs count="${places.length + 1}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>`
    + places.map((k) => `<xf numFmtId="${164 + k}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>`).join('')
    + '</cellXfs></styleSheet>';
}

// rows: arrays of cells; a cell is a string (written as text) or {n: "decimal text"}, written
// as a number when a spreadsheet can hold it exactly and as text when not.
function writeXlsx(rows, sheetName) {
  const enc = new TextEncoder();
  const head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
  const sheetRows = rows.map((r, i) => {
    const cells = r.map((c, j) => {
      const ref = columnLetter(j) + (i + 1);
      if (c && typeof c === 'object' && xlsxExactNumber(c.n)) {
        return `<c r="${ref}" s="${decimalPlaces(c.n) + 1}"><v>${c.n}</v></c>`;
      }
      const s = c && typeof c === 'object' ? (c.n ?? '') : (c ?? '');
      if (s === '') return '';
      return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${xmlEscape(s)}</t></is></c>`;
    }).join('');
    return `<row r="${i + 1}">${cells}</row>`;
  }).join('');
  const files = [
    ['[Content_Types].xml', head + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      + '<Default Extension="xml" ContentType="application/xml"/>'
      + '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
      + '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
      + '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
      + '</Types>'],
    ['_rels/.rels', head + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
      + '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
      + '</Relationships>'],
    ['xl/workbook.xml', head + '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      + 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
      + `<sheets><sheet name="${xmlEscape(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`],
    ['xl/_rels/workbook.xml.rels', head + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
      + '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
      + '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
      + '</Relationships>'],
    ['xl/styles.xml', xlsxStyles(head)],
    ['xl/worksheets/sheet1.xml', head + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
      + `<sheetData>${sheetRows}</sheetData></worksheet>`],
  ];
  return zipStored(files.map(([n, s]) => [n, enc.encode(s)]));
}
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

// --- the loan book --------------------------------------------------------------------------

// A file's rows: {rows: string[][], kinds?: ('text'|'number')[][], date1904?}.
async function readLoanBook(file) {
  const name = (file.name || '').toLowerCase();
  const bytes = new Uint8Array(await file.arrayBuffer());
  const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (name.endsWith('.xlsx') || isZip) {
    try { return await readXlsx(bytes); } catch (e) { throw new Error(t('pf.xlsxBad', e.message)); }
  }
  if (name.endsWith('.csv') || name.endsWith('.txt') || !name.includes('.')) return { rows: parseCsv(decodeText(bytes)) };
  throw new Error(t('pf.notCsv'));
}

// Rows -> {header, items: [{row, key, request}], errors: [{row, column, letter, message}]}.
// Throws for a file-level problem (columns, row count).
function loanBookItems(book, dryRun) {
  const rows = book.rows;
  let headerAt = rows.findIndex((r) => r.some((c) => c.trim() !== ''));
  if (headerAt < 0) throw new Error(t('pf.noRows'));
  const header = rows[headerAt].map((c) => c.trim());
  while (header.length && header[header.length - 1] === '') header.pop();
  const unknown = header.filter((c) => !COLUMN_TYPES.has(c));
  if (unknown.length) throw new Error(t('pf.unknownColumns', unknown.map((c) => c || '""').join(', ')));
  const dup = header.filter((c, i) => header.indexOf(c) !== i);
  if (dup.length) throw new Error(t('pf.duplicateColumns', [...new Set(dup)].join(', ')));
  if (!header.includes('row_key')) throw new Error(t('pf.missingColumns', 'row_key'));
  const data = [];
  for (let i = headerAt + 1; i < rows.length; i++) {
    if (rows[i].some((c) => c.trim() !== '')) data.push(i);
  }
  if (!data.length) throw new Error(t('pf.noRows'));
  if (data.length > MAX_ROWS) throw new Error(t('pf.tooManyRows', data.length, MAX_ROWS));

  const items = [];
  const errors = [];
  const seen = new Map();
  for (const i of data) {
    const rowNumber = i + 1; // as the spreadsheet numbers it: the header is row 1
    const cells = rows[i];
    const kinds = (book.kinds && book.kinds[i]) || [];
    const request = {};
    let key = '';
    let bad = false;
    const err = (col, message) => {
      bad = true;
      errors.push({ row: rowNumber, column: col < 0 ? '' : header[col], letter: col < 0 ? '' : columnLetter(col), message });
    };
    const extra = cells.slice(header.length).filter((c) => c.trim() !== '').length;
    if (extra) err(-1, t('pf.tooManyCells', header.length + extra, header.length));
    header.forEach((column, j) => {
      const type = COLUMN_TYPES.get(column);
      let text = cells[j] === undefined ? '' : (type === 'lines' ? cells[j] : cells[j].trim());
      if (type === 'date' && kinds[j] === 'number') text = serialToDate(text, book.date1904) || text;
      if (type === 'key') { key = text; return; }
      if (text.trim() === '') return;
      const problem = cellProblem(type, text);
      if (problem) { err(j, problem); return; }
      applyCell(request, column, type, text);
    });
    const keyCol = header.indexOf('row_key');
    if (!key || key.length > MAX_KEY_CHARS) err(keyCol, t('pf.keyRequired'));
    else if (seen.has(key)) err(keyCol, t('pf.duplicateKey', key, seen.get(key)));
    else seen.set(key, rowNumber);
    if (dryRun) request.dry_run = true;
    if (!bad) items.push({ row: rowNumber, key, request });
  }
  return { header, items, errors, rowCount: data.length };
}

// The column a server field path names: itself, the column inside it, or the one holding it.
function columnFor(header, field) {
  if (!field) return -1;
  const bare = field.replace(/\[\d+\]$/, '');
  for (const f of [field, bare]) {
    const exact = header.indexOf(f);
    if (exact >= 0) return exact;
  }
  const inside = header.findIndex((c) => c.startsWith(field + '.') || c.startsWith(field + '['));
  if (inside >= 0) return inside;
  let best = -1;
  let bestLen = 0;
  header.forEach((c, i) => {
    if ((field.startsWith(c + '.') || field.startsWith(c + '[')) && c.length > bestLen) { best = i; bestLen = c.length; }
  });
  return best;
}

function itemErrorRows(item, header, error) {
  const out = [];
  const violations = error.field_violations || error.fieldViolations || [];
  if (!violations.length) out.push({ row: item.row, column: '', letter: '', message: error.message || String(error.code || '') });
  for (const v of violations) {
    const col = columnFor(header, v.field);
    out.push({
      row: item.row,
      column: col >= 0 ? header[col] : v.field,
      letter: col >= 0 ? columnLetter(col) : '',
      message: v.description || error.message || '',
    });
  }
  return out;
}

function rowErrorText(e) {
  if (e.column) return t('pf.rowError', e.row, e.letter ? `${e.column} [${e.letter}]` : e.column, e.message);
  return t('pf.rowErrorNoColumn', e.row, '—', e.message);
}

async function runLoanBook(ev) {
  ev.preventDefault();
  const box = $('pf-error');
  box.replaceChildren();
  setStatus('pf-status', '');
  const file = $('pf-file').files && $('pf-file').files[0];
  if (!file) { plainError(box, t('pf.needFile')); return; }
  if (file.size > MAX_FILE_BYTES) { plainError(box, t('pf.tooBig', groupDigits(String(file.size)), groupDigits(String(MAX_FILE_BYTES)))); return; }
  const run = $('pf-run');
  run.disabled = true;
  state.pf = null;
  drawPortfolio();
  try {
    setStatus('pf-status', t('pf.reading'));
    let parsed;
    try {
      parsed = loanBookItems(await readLoanBook(file), $('pf-dry-run').checked);
    } catch (e) { plainError(box, e.message); setStatus('pf-status', ''); return; }
    const pf = { header: parsed.header, rowCount: parsed.rowCount, errors: parsed.errors.slice(), results: [], summary: null, summaryError: null, dryRun: $('pf-dry-run').checked };
    state.pf = pf;
    const byKey = new Map(parsed.items.map((it) => [it.key, it]));
    if (parsed.items.length) {
      setStatus('pf-status', t('pf.sending', 0, parsed.items.length));
      const body = parsed.items.map((it) => JSON.stringify({ key: it.key, request: it.request })).join('\n') + '\n';
      try {
        const res = await call('POST', '/v1/assessments:batch', body, { ndjson: true, ndjsonOut: true, raw: true });
        let done = 0;
        await readLines(res, (line) => {
          let msg;
          try { msg = JSON.parse(line); } catch (e) { throw new ApiError(t('err.badResponse', e.message), {}); }
          if (msg.key === undefined && msg.error) throw errorFromModel(msg.error, res.status);
          const item = byKey.get(msg.key);
          if (!item) return;
          done++;
          if (msg.response) pf.results.push({ row: item.row, key: item.key, request: item.request, response: msg.response });
          else pf.errors.push(...itemErrorRows(item, parsed.header, msg.error || {}));
          if (done % 50 === 0) setStatus('pf-status', t('pf.sending', done, parsed.items.length));
        });
      } catch (err) {
        const e = new ApiError(t('pf.streamError', err.message), { http: err.http, status: err.status, violations: err.violations });
        showError(box, e);
      }
    }
    pf.errors.sort((a, b) => a.row - b.row);
    pf.results.sort((a, b) => a.row - b.row);
    drawPortfolio();
    setStatus('pf-status', t('pf.done', pf.results.length, new Set(pf.errors.map((e) => e.row)).size));
    if (pf.results.length) {
      setStatus('pf-status', t('pf.done', pf.results.length, new Set(pf.errors.map((e) => e.row)).size) + ' ' + t('pf.summarizing'));
      const body = pf.results.map((r) => JSON.stringify(r.response.record && r.response.record.record_id
        ? { record_id: r.response.record.record_id } : { assessment: r.request })).join('\n') + '\n';
      try {
        pf.summary = await call('POST', '/v1/portfolio:summarize', body, { ndjson: true });
      } catch (err) { pf.summaryError = err; }
      drawPortfolio();
      setStatus('pf-status', t('pf.done', pf.results.length, new Set(pf.errors.map((e) => e.row)).size));
    }
  } finally {
    run.disabled = false;
  }
}

const RESULT_COLUMNS = ['row', 'row_key', 'outcome', 'record_id', 'borrower_id', 'project_id',
  'fertilizer_income_cny_per_year', 'income_to_baseline_cost_ratio', 'min_dscr', 'min_dscr_loan_year',
  'hurdle_status', 'emission_reduction_tco2e_per_year.low', 'emission_reduction_tco2e_per_year.central',
  'emission_reduction_tco2e_per_year.high', 'total_interest_cny', 'npv_cny', 'irr_pct', 'warnings', 'error'];

// One line per row of the file, results and errors alike; decimals as {n: text}.
function resultRows(pf) {
  const lines = [];
  for (const r of pf.results) {
    const p = r.response;
    const ctr = p.cost_to_revenue || {};
    const dsc = p.debt_service_cover || {};
    const red = (p.carbon && p.carbon.reduction && p.carbon.reduction.emission_reduction_tco2e_per_year) || {};
    const n = (d) => ({ n: dtext(d) ?? '' });
    lines.push({ row: r.row, cells: [{ n: String(r.row) }, r.key, 'ok', (p.record && p.record.record_id) || '', p.borrower_id || '', p.project_id || '',
      n(ctr.fertilizer_income_cny_per_year), n(ctr.income_to_baseline_cost_ratio), n(dsc.min_dscr), { n: String(dsc.min_dscr_loan_year ?? '') },
      dsc.hurdle_status || '', n(red.low), n(red.central), n(red.high), n(p.loan && p.loan.total_interest_cny),
      n(p.investment_returns && p.investment_returns.npv_cny), n(p.investment_returns && p.investment_returns.irr_pct),
      (p.warnings || []).map((w) => w.code).join(';'), ''] });
  }
  const byRow = new Map();
  for (const e of pf.errors) {
    if (!byRow.has(e.row)) byRow.set(e.row, []);
    byRow.get(e.row).push((e.column ? e.column + ': ' : '') + e.message);
  }
  for (const [row, msgs] of byRow) {
    const cells = RESULT_COLUMNS.map(() => '');
    cells[0] = { n: String(row) };
    cells[2] = 'error';
    cells[RESULT_COLUMNS.length - 1] = msgs.join(' | ');
    lines.push({ row, cells });
  }
  lines.sort((a, b) => a.row - b.row);
  return [RESULT_COLUMNS, ...lines.map((l) => l.cells)];
}

function renderSummary(s) {
  const f = s.total || {};
  const parts = [h('h3', { class: 'mt0', text: t('pf.summary') }),
    table([t('col.quarter'), t('col.projects'), t('col.loanAmount'), t('col.rate'), t('col.withCarbon'), t('col.totalReduction'), t('col.attributed')],
      [...(s.by_quarter || []).map((q) => [q.quarter, q.figures || {}]), [t('pf.summaryTotal'), f]].map(([name, x]) => [
        name, String(x.project_count ?? 0), fmt(x.loan_amount_10k_cny), fmt(x.weighted_average_rate_pct),
        String(x.projects_with_carbon ?? 0), fmtBounds(x.reduction_tco2e_per_year), fmtBounds(x.loan_attributed_reduction_tco2e_per_year)]),
      [1, 2, 3, 4]),
    h('p', { class: 'hint' }, h('strong', { text: t('pf.rounding') + ': ' }), s.rounding || '')];
  if (s.error_count) {
    parts.push(h('p', { class: 'violation', text: t('pf.summaryErrors', s.error_count) }),
      h('ul', { class: 'row-errors' }, (s.errors || []).map((e) => h('li', { text: `#${e.position}: ${(e.error && e.error.message) || ''}` }))));
  }
  return parts;
}

function drawPortfolio() {
  $('pf-intro').textContent = t('pf.intro', groupDigits(String(MAX_ROWS)), '10 MB');
  const pf = state.pf;
  const errPanel = $('pf-errors-panel');
  const resPanel = $('pf-results-panel');
  const sumPanel = $('pf-summary');
  if (!pf) { errPanel.hidden = true; resPanel.hidden = true; sumPanel.hidden = true; return; }
  errPanel.hidden = !pf.errors.length;
  $('pf-row-errors').replaceChildren(...pf.errors.map((e) => h('li', { 'data-row': e.row, 'data-column': e.column, text: rowErrorText(e) })));
  resPanel.hidden = !pf.results.length;
  $('pf-results').replaceChildren(table(
    [t('col.row'), t('col.loanId'), t('col.borrower'), t('col.record'), t('col.income'), t('col.ratio'), t('col.minDscr'), t('col.hurdle'), t('col.reduction')],
    pf.results.map((r) => {
      const p = r.response;
      const ctr = p.cost_to_revenue || {};
      const dsc = p.debt_service_cover || {};
      const id = p.record && p.record.record_id;
      return [String(r.row), r.key, p.borrower_id || '',
        id ? h('a', { href: '#/record/' + encodeURIComponent(id), text: id }) : t('fig.dryRun'),
        fmt(ctr.fertilizer_income_cny_per_year), fmt(ctr.income_to_baseline_cost_ratio), fmt(dsc.min_dscr),
        hurdleBadge(dsc.hurdle_status), p.carbon ? fmtBounds(p.carbon.reduction && p.carbon.reduction.emission_reduction_tco2e_per_year) : t('fig.none')];
    }), [0, 4, 5, 6]));
  if (pf.results.length || pf.errors.length) {
    const rows = resultRows(pf);
    download($('pf-download'), 'loan-book-results.csv', new Blob([toCsv(rows.map((r) => r.map((c) => (c && typeof c === 'object' ? c.n : c))))], { type: 'text/csv;charset=utf-8' }));
    download($('pf-download-xlsx'), 'loan-book-results.xlsx', new Blob([writeXlsx(rows, 'results')], { type: XLSX_TYPE }));
    resPanel.hidden = false;
  }
  if (pf.summary || pf.summaryError) {
    sumPanel.replaceChildren();
    if (pf.summary) sumPanel.append(...renderSummary(pf.summary));
    if (pf.summaryError) { const b = h('div', { class: 'error-box' }); showError(b, pf.summaryError); sumPanel.append(b); }
    sumPanel.hidden = false;
  } else sumPanel.hidden = true;
}

async function prepareTemplateXlsx() {
  try {
    const csv = await call('GET', '/console/loan-book-v1.csv', undefined, { text: true });
    const rows = parseCsv(csv.replace(/^\ufeff/, ''));
    download($('pf-template-xlsx'), 'loan-book-v1.xlsx', new Blob([writeXlsx(rows, 'loan-book-v1')], { type: XLSX_TYPE }));
  } catch (_) { $('pf-template-xlsx').hidden = true; }
}

function initPortfolio() {
  $('pf-form').addEventListener('submit', runLoanBook);
  prepareTemplateXlsx();
  redraws.push(drawPortfolio);
}

// ---------------------------------------------------------------------------------------------
// Language, token, pages.
// ---------------------------------------------------------------------------------------------

function applyLanguage() {
  document.documentElement.lang = lang;
  document.title = t('app.title');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  const toggle = $('lang-toggle');
  toggle.textContent = t('lang.other');
  toggle.lang = lang === 'en' ? 'zh-CN' : 'en';
  for (const f of redraws) f();
}

const PAGES = ['assess', 'record', 'monitoring', 'portfolio', 'service'];
let serviceLoaded = false;

function route() {
  const parts = (location.hash || '#/assess').replace(/^#\/?/, '').split('/');
  const page = PAGES.includes(parts[0]) ? parts[0] : 'assess';
  for (const p of PAGES) {
    $('page-' + p).classList.toggle('active', p === page);
    const link = document.querySelector(`#nav a[data-page="${p}"]`);
    if (p === page) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  if (page === 'record' && parts[1]) {
    const id = decodeURIComponent(parts[1]);
    $('record-id').value = id;
    getRecord(id);
  }
  if (page === 'service' && !serviceLoaded) { serviceLoaded = true; loadService(); }
}

function init() {
  const tokenInput = $('token');
  tokenInput.value = token();
  tokenInput.addEventListener('input', () => {
    try { sessionStorage.setItem(TOKEN_KEY, tokenInput.value.trim()); } catch (_) { /* storage off */ }
  });
  $('lang-toggle').addEventListener('click', () => {
    lang = lang === 'en' ? 'zh-CN' : 'en';
    try { localStorage.setItem(LANG_KEY, lang); } catch (_) { /* storage off */ }
    applyLanguage();
  });
  initAssess();
  initRecord();
  initMonitoring();
  initPortfolio();
  initService();
  applyLanguage();
  window.addEventListener('hashchange', route);
  route();
  document.body.dataset.ready = 'true';
}

// For tests and the curious: the pure parts, reachable from the browser's console.
window.greenImpactConsole = Object.freeze({
  groupDigits, parseCsv, xlsxNumberText, writeXlsx, readXlsx, crc32, LOAN_BOOK_V1,
});

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init); else init();

})();
