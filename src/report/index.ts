// The HTML reports of `wa-send report`: pure functions from report data to one self-contained page.
export { renderBroadcastReport } from './broadcast-report.js';
export { renderJournalReport } from './journal-report.js';
export { CSP } from './page.js';
