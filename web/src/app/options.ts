/** Choices shared by onboarding and the account page's profile. */
export type Options = Array<{ value: string; label: string }>
export const SIZES: Options = [
  { value: '1', label: 'Just me' },
  { value: '2-10', label: '2–10 people' },
  { value: '11-50', label: '11–50 people' },
  { value: '51-200', label: '51–200 people' },
  { value: '201-1000', label: '201–1,000 people' },
  { value: '1000+', label: 'More than 1,000' },
]
export const REVENUES: Options = [
  { value: 'under_100k', label: 'Under $100k' },
  { value: '100k_500k', label: '$100k – $500k' },
  { value: '500k_1m', label: '$500k – $1M' },
  { value: '1m_5m', label: '$1M – $5M' },
  { value: '5m_20m', label: '$5M – $20M' },
  { value: '20m_100m', label: '$20M – $100M' },
  { value: 'over_100m', label: 'Over $100M' },
]
export const INDUSTRIES = [
  'Software',
  'Professional services',
  'Retail & e-commerce',
  'Manufacturing',
  'Healthcare',
  'Financial services',
  'Construction',
  'Hospitality',
  'Education',
  'Other',
]
