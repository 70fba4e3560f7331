// Over 400 lines on purpose: this is content (the rules engine's whole advice library), not logic;
// splitting it by area would scatter one editorial voice across files.
import type { MaturityLevel, ScoreArea } from '../growth/scores.ts'

/**
 * The rules engine's advice: concrete actions per area and maturity level, written for owners
 * and operators of small and mid-sized businesses. Rules fallbacks pick from here using the
 * user's own lowest areas, so every answer names work that fits where they are.
 */
export type Effort = 'low' | 'medium' | 'high'
export type Impact = 'low' | 'medium' | 'high'
export type AdviceAction = {
  title: string
  description: string
  effort: Effort
  impact: Impact
  owner: string
  timeframe: string
}

type Library = Record<ScoreArea, Record<MaturityLevel, AdviceAction[]>>

const a = (
  title: string,
  description: string,
  effort: Effort,
  impact: Impact,
  owner: string,
  timeframe: string,
): AdviceAction => ({ title, description, effort, impact, owner, timeframe })

export const ADVICE: Library = {
  strategy: {
    foundational: [
      a(
        'Write a one-page strategy',
        'Agree in one page who your best customers are, what you sell them, why they choose you and the three goals for the next 12 months; share it with every employee.',
        'low',
        'high',
        'CEO / founder',
        '2 weeks',
      ),
      a(
        'Set three measurable annual goals',
        'Turn the strategy into three numbers (for example revenue, gross margin, customer retention) with a target and an owner each, reviewed monthly.',
        'low',
        'high',
        'Leadership team',
        '30 days',
      ),
      a(
        'Profile your most profitable customers',
        "Rank last year's customers by gross profit, describe the top 20 % (industry, size, buying trigger) and aim marketing and sales at look-alikes.",
        'medium',
        'high',
        'Sales lead',
        '6 weeks',
      ),
    ],
    developing: [
      a(
        'Run a quarterly planning cadence',
        'Hold a half-day planning session each quarter: review goal progress, pick 3–5 priorities with owners, and stop one initiative that no longer fits.',
        'medium',
        'high',
        'Leadership team',
        '90 days',
      ),
      a(
        'Cascade goals into team OKRs',
        'Give every team two or three objectives with measurable key results that roll up to the company goals, and review them every two weeks.',
        'medium',
        'medium',
        'Department heads',
        '1 quarter',
      ),
      a(
        'Test one adjacent growth bet',
        'Pick one adjacent market or product extension, define the evidence that would justify scaling it, and run a small, time-boxed pilot.',
        'medium',
        'medium',
        'CEO / founder',
        '3 months',
      ),
    ],
    advanced: [
      a(
        'Build a three-year scenario plan',
        'Model base, upside and downside scenarios with the leading indicators that tell you which one is unfolding, and pre-agree the moves for each.',
        'high',
        'medium',
        'CEO and CFO',
        '1 quarter',
      ),
      a(
        'Allocate budget by portfolio',
        'Split investment into core, adjacent and transformational bets (for example 70/20/10) and review the split against results twice a year.',
        'medium',
        'high',
        'Leadership team',
        '6 months',
      ),
      a(
        'Institutionalise strategy reviews with the board',
        'Bring an external view into an annual strategy offsite with advisers or the board, stress-testing assumptions about competitors and customers.',
        'medium',
        'medium',
        'CEO',
        '12 months',
      ),
    ],
  },
  process: {
    foundational: [
      a(
        'Document your five core processes',
        'Write step-by-step checklists for how you win a customer, deliver the work, invoice, collect and support, so any trained person can follow them.',
        'medium',
        'high',
        'Operations lead',
        '4 weeks',
      ),
      a(
        'Name an owner for every process',
        'Give each core process a single owner who keeps its checklist current and is accountable for its results.',
        'low',
        'medium',
        'CEO / founder',
        '2 weeks',
      ),
      a(
        'Track three operating metrics weekly',
        'Measure cycle time, error or rework rate and on-time delivery each week on a shared sheet, and discuss the outliers.',
        'low',
        'high',
        'Operations lead',
        '30 days',
      ),
    ],
    developing: [
      a(
        'Map and remove handoff delays',
        'Map your order-to-cash flow end to end, time each handoff and remove or automate the two slowest waits.',
        'medium',
        'high',
        'Operations lead',
        '6 weeks',
      ),
      a(
        'Introduce standard work and reviews',
        'Turn checklists into standard operating procedures with a monthly review of deviations and a simple improvement backlog.',
        'medium',
        'medium',
        'Process leads',
        '2 months',
      ),
      a(
        'Set service levels for internal teams',
        'Agree turnaround times between teams (for example quotes in 24 h, onboarding in 5 days) and report against them monthly.',
        'low',
        'medium',
        'Department heads',
        '1 month',
      ),
    ],
    advanced: [
      a(
        'Run continuous-improvement sprints',
        'Dedicate a small cross-functional team to a monthly improvement sprint on the process with the highest cost of delay.',
        'medium',
        'high',
        'COO',
        'monthly',
      ),
      a(
        'Instrument processes end to end',
        'Capture process events in your systems so cycle times and bottlenecks are measured automatically rather than sampled by hand.',
        'high',
        'medium',
        'Operations and IT leads',
        '1 quarter',
      ),
      a(
        'Benchmark unit costs',
        'Compute cost per order, per customer and per unit delivered, compare them quarter on quarter and against peers, and target the worst gap.',
        'medium',
        'medium',
        'CFO',
        '1 quarter',
      ),
    ],
  },
  technology: {
    foundational: [
      a(
        'Adopt one system of record for customers',
        'Move customer and deal data out of spreadsheets and inboxes into a single CRM that every customer-facing person uses.',
        'medium',
        'high',
        'Sales lead',
        '6 weeks',
      ),
      a(
        'Secure the basics',
        'Turn on multi-factor authentication for email and finance tools, set up automatic backups, and keep an inventory of who has access to what.',
        'low',
        'high',
        'IT lead',
        '2 weeks',
      ),
      a(
        'Automate your most repeated task',
        'Pick the manual task done most often (invoicing, scheduling, reporting) and automate it with the tools you already pay for.',
        'low',
        'medium',
        'Operations lead',
        '30 days',
      ),
    ],
    developing: [
      a(
        'Integrate your core systems',
        'Connect CRM, finance and delivery tools so data is entered once; remove the re-keying between them.',
        'medium',
        'high',
        'IT lead',
        '2 months',
      ),
      a(
        'Build a weekly management dashboard',
        'Pull revenue, pipeline, delivery and cash metrics automatically into one dashboard the leadership team reviews every week.',
        'medium',
        'high',
        'Finance and IT leads',
        '6 weeks',
      ),
      a(
        'Pilot AI on one workflow',
        'Choose a text-heavy workflow (support replies, proposal drafts) and pilot an AI assistant with clear quality checks and a before/after time measure.',
        'low',
        'medium',
        'Operations lead',
        '6 weeks',
      ),
    ],
    advanced: [
      a(
        'Create a technology roadmap tied to strategy',
        'Maintain a 12-month roadmap of systems work, each item linked to a business goal and a measurable outcome.',
        'medium',
        'medium',
        'CTO / IT lead',
        '1 quarter',
      ),
      a(
        'Use data for prediction',
        'Move from reporting to prediction: forecast demand, churn or cash with the data you already collect, and act on the signals.',
        'high',
        'high',
        'Data lead',
        '1–2 quarters',
      ),
      a(
        'Review vendors and total cost',
        'Review every software subscription for usage and overlap each year, consolidating tools and renegotiating the largest contracts.',
        'low',
        'medium',
        'CFO',
        '6 weeks',
      ),
    ],
  },
  ai_readiness: {
    foundational: [
      a(
        'List AI use cases by value',
        'List ten tasks where staff read, write or sort information, estimate hours spent and pick the two with the most time at stake.',
        'low',
        'medium',
        'Operations lead',
        '2 weeks',
      ),
      a(
        'Agree an AI usage policy',
        'Write one page on which AI tools are approved, what data must never be pasted into them, and how outputs are checked.',
        'low',
        'high',
        'CEO and IT lead',
        '2 weeks',
      ),
    ],
    developing: [
      a(
        'Clean the data behind your best use case',
        'Fix the fields, duplicates and access rights of the data your first AI use case depends on before scaling it.',
        'medium',
        'high',
        'Data lead',
        '6 weeks',
      ),
      a(
        'Measure AI pilots like investments',
        'Give each AI pilot a baseline, a success metric and a stop date; scale only the ones that beat the baseline.',
        'low',
        'medium',
        'Leadership team',
        'per pilot',
      ),
    ],
    advanced: [
      a(
        'Embed AI in core workflows',
        'Build AI steps into the systems staff already use, with human review where errors are costly and monitoring of quality over time.',
        'high',
        'high',
        'CTO / IT lead',
        '1–2 quarters',
      ),
      a(
        'Set up AI governance',
        'Track models in use, their owners, data sources and risks, and review them quarterly as rules and vendors change.',
        'medium',
        'medium',
        'Leadership team',
        '1 quarter',
      ),
    ],
  },
  bpm: {
    foundational: [
      a(
        'Map one process on a single page',
        'Draw the steps, roles and handoffs of your most complained-about process and agree the one change that removes the most friction.',
        'low',
        'medium',
        'Process lead',
        '2 weeks',
      ),
      a(
        'Standardise templates',
        'Create shared templates for quotes, onboarding and reporting so work starts from the same good version every time.',
        'low',
        'medium',
        'Operations lead',
        '3 weeks',
      ),
    ],
    developing: [
      a(
        'Measure process performance',
        'Add cycle time and first-time-right rate to each mapped process and review them monthly with the owners.',
        'medium',
        'high',
        'Process leads',
        '1 month',
      ),
      a(
        'Automate approvals and routing',
        'Move approvals and task routing into a workflow tool so nothing waits in an inbox.',
        'medium',
        'medium',
        'IT lead',
        '6 weeks',
      ),
    ],
    advanced: [
      a(
        'Run a process-mining review',
        'Use system logs to find where real execution deviates from the designed process and fix the most frequent deviation.',
        'high',
        'medium',
        'Operations and IT leads',
        '1 quarter',
      ),
      a(
        'Manage processes as a portfolio',
        'Rank processes by cost and customer impact yearly and fund redesign where the gap to best practice is largest.',
        'medium',
        'medium',
        'COO',
        '12 months',
      ),
    ],
  },
  sales: {
    foundational: [
      a(
        'Define your sales stages',
        'Write down four to six pipeline stages with clear exit criteria and log every open deal against them.',
        'low',
        'high',
        'Sales lead',
        '2 weeks',
      ),
      a(
        'Build a follow-up routine',
        'Set a rule that every lead gets a response within one business day and a follow-up sequence of at least three touches.',
        'low',
        'high',
        'Sales team',
        '30 days',
      ),
    ],
    developing: [
      a(
        'Track conversion by stage',
        'Measure win rate and time in stage each month, find the stage where most deals stall and coach to it.',
        'medium',
        'high',
        'Sales lead',
        '6 weeks',
      ),
      a(
        'Write a qualification checklist',
        'Qualify deals on budget, authority, need and timing before proposals, so effort goes to winnable deals.',
        'low',
        'medium',
        'Sales team',
        '3 weeks',
      ),
    ],
    advanced: [
      a(
        'Forecast from pipeline data',
        'Forecast revenue from stage-weighted pipeline and historical conversion, and compare forecast to actuals monthly.',
        'medium',
        'medium',
        'Sales lead and CFO',
        '1 quarter',
      ),
      a(
        'Grow revenue from existing accounts',
        'Run structured account reviews with the top 20 customers to find expansion and referral opportunities.',
        'medium',
        'high',
        'Account managers',
        '1 quarter',
      ),
    ],
  },
  tech_stack: {
    foundational: [
      a(
        'Inventory your tools',
        'List every application, its cost, its owner and what data it holds; cancel what nobody uses.',
        'low',
        'medium',
        'IT lead',
        '2 weeks',
      ),
      a(
        'Close the security gaps',
        'Enforce multi-factor authentication, password management and off-site backups for every business system.',
        'low',
        'high',
        'IT lead',
        '2 weeks',
      ),
    ],
    developing: [
      a(
        'Connect systems through integrations',
        'Replace manual exports between tools with native integrations or an integration platform.',
        'medium',
        'high',
        'IT lead',
        '2 months',
      ),
      a(
        'Agree architecture principles',
        'Decide which system owns each type of data and require new tools to integrate with it.',
        'low',
        'medium',
        'CTO / IT lead',
        '1 month',
      ),
    ],
    advanced: [
      a(
        'Automate provisioning and monitoring',
        'Automate user on- and off-boarding and monitor the availability of critical systems with alerts.',
        'medium',
        'medium',
        'IT team',
        '1 quarter',
      ),
      a(
        'Plan for scale',
        "Load-test critical systems and plan capacity and vendor limits for twice today's volume.",
        'medium',
        'medium',
        'CTO',
        '1 quarter',
      ),
    ],
  },
  strategic_maturity: {
    foundational: [
      a(
        'Clarify your positioning',
        'Write one sentence on who you serve, the problem you solve and why you are the better choice, and test it with five customers.',
        'low',
        'high',
        'CEO / founder',
        '3 weeks',
      ),
      a(
        'Review goals monthly',
        'Put goal progress on the agenda of a monthly leadership meeting with decisions recorded.',
        'low',
        'medium',
        'Leadership team',
        '30 days',
      ),
    ],
    developing: [
      a(
        'Link budget to priorities',
        'Make every budget line point to a strategic priority and cut or defer what does not.',
        'medium',
        'high',
        'CFO',
        '1 quarter',
      ),
      a(
        'Track leading indicators',
        'Choose two leading indicators per goal (pipeline, activation, retention) and review them weekly.',
        'low',
        'medium',
        'Leadership team',
        '1 month',
      ),
    ],
    advanced: [
      a(
        'Run strategy as a learning loop',
        'Write explicit assumptions behind each bet, test them quarterly and adjust the plan in the open.',
        'medium',
        'medium',
        'Leadership team',
        'quarterly',
      ),
      a(
        'Develop a succession bench',
        'Identify successors for each leadership role and give them stretch assignments on strategic initiatives.',
        'medium',
        'medium',
        'CEO and HR',
        '6 months',
      ),
    ],
  },
  marketing_effectiveness: {
    foundational: [
      a(
        'Track where leads come from',
        'Add a source field to every lead and count leads and customers per channel each month.',
        'low',
        'high',
        'Marketing lead',
        '2 weeks',
      ),
      a(
        "Fix your website's conversion basics",
        'Give every page one clear call to action, a visible contact route and proof (reviews, case studies).',
        'low',
        'medium',
        'Marketing lead',
        '30 days',
      ),
    ],
    developing: [
      a(
        'Measure cost per acquisition',
        'Compute customer acquisition cost per channel and shift budget toward the cheapest channels that bring good customers.',
        'medium',
        'high',
        'Marketing lead',
        '6 weeks',
      ),
      a(
        'Nurture leads with email',
        'Set up a short automated email sequence that educates leads who are not ready to buy yet.',
        'medium',
        'medium',
        'Marketing team',
        '1 month',
      ),
    ],
    advanced: [
      a(
        'Attribute revenue across channels',
        'Use multi-touch attribution or holdout tests to learn which campaigns really create revenue.',
        'high',
        'medium',
        'Marketing and data leads',
        '1 quarter',
      ),
      a(
        'Build a referral programme',
        'Reward customers for referrals and track referred revenue as its own channel.',
        'medium',
        'high',
        'Marketing lead',
        '2 months',
      ),
    ],
  },
  customer_experience: {
    foundational: [
      a(
        'Ask customers how you are doing',
        'Send a two-question survey (satisfaction and the one thing to improve) after each delivery and read every answer.',
        'low',
        'high',
        'Customer lead',
        '2 weeks',
      ),
      a(
        'Set response-time promises',
        'Promise and track a response time for customer questions and make one person responsible for the shared inbox.',
        'low',
        'medium',
        'Support lead',
        '2 weeks',
      ),
    ],
    developing: [
      a(
        'Map the customer journey',
        'Map each step from first contact to renewal, note the pain points customers report and fix the top two.',
        'medium',
        'high',
        'Customer lead',
        '6 weeks',
      ),
      a(
        'Track retention and reasons for loss',
        'Measure retention monthly and interview every lost customer about why they left.',
        'low',
        'high',
        'Account managers',
        '1 month',
      ),
    ],
    advanced: [
      a(
        'Personalise service by segment',
        "Design service levels per customer segment and match effort to each segment's value.",
        'medium',
        'medium',
        'Customer lead',
        '1 quarter',
      ),
      a(
        'Close the loop on feedback',
        'Publish what changed because of customer feedback each quarter and tell the customers who asked.',
        'low',
        'medium',
        'Leadership team',
        'quarterly',
      ),
    ],
  },
  digital_transformation: {
    foundational: [
      a(
        'Digitise paper and email workflows',
        'Move the most common paper or email-based workflow into a shared digital tool with status tracking.',
        'medium',
        'high',
        'Operations lead',
        '6 weeks',
      ),
      a(
        'Name a digital champion',
        'Give one respected person time to lead digital changes, train colleagues and gather feedback.',
        'low',
        'medium',
        'CEO / founder',
        '2 weeks',
      ),
    ],
    developing: [
      a(
        'Build a digital roadmap',
        'Sequence digital initiatives by value and effort over the next 12 months, with an owner and outcome each.',
        'medium',
        'high',
        'Leadership team',
        '1 month',
      ),
      a(
        'Train staff on the tools you own',
        'Run short, role-based training so staff use the features already paid for.',
        'low',
        'medium',
        'Digital champion',
        '6 weeks',
      ),
    ],
    advanced: [
      a(
        'Offer digital self-service to customers',
        'Let customers order, track and resolve common issues online without calling you.',
        'high',
        'high',
        'CTO and customer lead',
        '2 quarters',
      ),
      a(
        'Use data products internally',
        'Publish trusted, documented data sets that teams can analyse without asking IT.',
        'medium',
        'medium',
        'Data lead',
        '1 quarter',
      ),
    ],
  },
  leadership: {
    foundational: [
      a(
        'Hold weekly one-to-ones',
        'Meet each direct report for 30 minutes weekly on priorities, blockers and development.',
        'low',
        'high',
        'Every manager',
        'starting this week',
      ),
      a(
        'Delegate one recurring decision',
        'Pick a decision the owner makes repeatedly, write the criteria and hand it to a team member.',
        'low',
        'medium',
        'CEO / founder',
        '30 days',
      ),
    ],
    developing: [
      a(
        'Build a leadership team rhythm',
        'Run a weekly leadership meeting with a standing agenda: metrics, priorities, decisions, people.',
        'low',
        'high',
        'CEO',
        '2 weeks',
      ),
      a(
        'Develop managers',
        'Give new managers training in feedback, delegation and hiring, with a mentor for their first six months.',
        'medium',
        'medium',
        'CEO with HR',
        '1 quarter',
      ),
    ],
    advanced: [
      a(
        'Measure engagement and act on it',
        'Run a short engagement survey twice a year and commit publicly to two improvements each time.',
        'low',
        'medium',
        'Leadership team',
        '6 months',
      ),
      a(
        'Grow future leaders',
        'Identify high-potential staff and rotate them through cross-functional projects with executive sponsors.',
        'medium',
        'medium',
        'Leadership team',
        '12 months',
      ),
    ],
  },
  competitive_benchmarking: {
    foundational: [
      a(
        'Profile your top three competitors',
        "Record each competitor's offer, prices, positioning and the reasons customers pick them, from public sources and lost deals.",
        'low',
        'medium',
        'Sales lead',
        '3 weeks',
      ),
      a(
        'Ask why you win and lose',
        'Add a win/loss reason field to every closed deal and review the pattern monthly.',
        'low',
        'high',
        'Sales team',
        '30 days',
      ),
    ],
    developing: [
      a(
        'Benchmark your key metrics',
        'Compare margin, growth and customer metrics with industry reports or peer groups once a year.',
        'medium',
        'medium',
        'CFO',
        '1 quarter',
      ),
      a(
        'Sharpen your differentiation',
        'Pick the one capability where you clearly beat competitors and make it the centre of marketing and sales.',
        'medium',
        'high',
        'Leadership team',
        '2 months',
      ),
    ],
    advanced: [
      a(
        'Run competitive intelligence continuously',
        'Assign someone to track competitor moves and brief the leadership team monthly.',
        'low',
        'medium',
        'Marketing lead',
        'monthly',
      ),
      a(
        'War-game competitor responses',
        'Before big moves, simulate how the main competitors would respond and plan your counter.',
        'medium',
        'medium',
        'Leadership team',
        'per initiative',
      ),
    ],
  },
  reassessment: {
    foundational: [
      a(
        "Revisit last year's priorities",
        "List what you planned a year ago, what happened and why, and carry the lessons into this year's plan.",
        'low',
        'medium',
        'Leadership team',
        '2 weeks',
      ),
      a(
        'Pick the one area to fix first',
        'Choose your lowest-scoring area and commit to one improvement project in it this quarter.',
        'low',
        'high',
        'CEO / founder',
        '1 quarter',
      ),
    ],
    developing: [
      a(
        'Reassess every six months',
        'Retake the assessments twice a year and compare scores to track whether initiatives moved the needle.',
        'low',
        'medium',
        'Leadership team',
        '6 months',
      ),
      a(
        'Retire initiatives that did not pay off',
        'Stop projects that have not moved their metric after two quarters and redeploy the people.',
        'low',
        'medium',
        'Leadership team',
        '1 quarter',
      ),
    ],
    advanced: [
      a(
        'Tie reassessment to planning',
        'Feed reassessment results directly into the annual planning cycle and budget decisions.',
        'medium',
        'medium',
        'CEO and CFO',
        'annually',
      ),
      a(
        'Share progress with the team',
        'Publish score trends and the initiatives behind them so the whole company sees progress.',
        'low',
        'medium',
        'CEO',
        'quarterly',
      ),
    ],
  },
}

/** Industry-specific framing for advice, by industry group. */
export const INDUSTRY_FOCUS: Record<string, string> = {
  technology:
    'In software and technology businesses, product usage data and recurring revenue metrics are the fastest feedback loop.',
  manufacturing:
    'In manufacturing and logistics, throughput, scrap and on-time delivery usually hold the largest margin gains.',
  services:
    'In professional services, utilisation, pricing discipline and repeatable delivery methods drive profitability.',
  retail: 'In retail and consumer businesses, repeat purchase rate and inventory turns decide growth and cash.',
  healthcare: 'In healthcare, scheduling efficiency, compliance and patient experience shape both growth and risk.',
  finance: 'In financial services, compliance-ready processes and data quality are preconditions for scaling.',
  general: 'Focus first on the few metrics that show whether customers get value and whether you get paid on time.',
}
