// Drives the operator console in headless Chromium (Debian's) with Playwright, against a real
// gateway that ConsoleBrowserTest started. Every step checks what an operator sees; a failure exits 1
// with what was expected. Screenshots of each page go to SCREENSHOTS.
import { chromium } from 'playwright-core';

const base = process.env.CONSOLE_URL;
const token = process.env.ADMIN_TOKEN;
const shots = process.env.SCREENSHOTS;
const caller = process.env.CALLER_OTHER_FORMAT;
const ringbaCall = process.env.RINGBA_CALL;
const deadToReplay = process.env.DEAD_TO_REPLAY;
const deadToCancel = process.env.DEAD_TO_CANCEL;
const mismatchCall = process.env.MISMATCH_CALL;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const errors = [];
let step = 'start';
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', e => errors.push('page error: ' + e.message));
  page.setDefaultTimeout(15000);

  step = 'a wrong token is refused with a clear message';
  await page.goto(base + '/console/');
  await page.fill('#token', 'not-the-token');
  await page.keyboard.press('Enter');
  // The error paragraph is there (empty) from the start: wait for the refusal's words in it.
  await page.waitForSelector('#signin-error:has-text("refused")');
  const refused = await page.locator('#signin-error').textContent();
  if (!/token was refused/.test(refused)) throw new Error('the sign-in error says: ' + refused);
  await page.screenshot({ path: shots + '/sign-in.png' });

  step = 'sign in (keyboard only)';
  await page.focus('#token');
  await page.keyboard.type(token);
  await page.keyboard.press('Enter');
  await page.waitForSelector('h1:text("Overview")');
  await page.waitForSelector('text=Requests/s');
  await page.screenshot({ path: shots + '/overview.png', fullPage: true });

  step = 'find a call by its caller number in another format, and see its whole timeline';
  await page.click('nav >> text=Call');
  await page.fill('#call-q', caller);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#timeline');
  const timeline = await page.locator('#timeline').innerText();
  for (const expected of ['inboundCallId ' + ringbaCall, 'caller_id', 'postback', 'attempt 1', 'delivered', 'call_revenue=42']) {
    if (!timeline.includes(expected)) throw new Error('the timeline lacks "' + expected + '":\n' + timeline);
  }
  await page.screenshot({ path: shots + '/call.png', fullPage: true });

  step = 'the dead queue, and a dead postback replayed and delivered';
  await page.click('nav >> text=Postbacks');
  await page.selectOption('#f-status', 'dead');
  await page.click('button:text("Show")');
  const row = page.locator('tr', { has: page.locator(`td:text-is("${deadToReplay}")`) });
  await row.waitFor();
  await page.screenshot({ path: shots + '/postbacks.png', fullPage: true });
  await row.locator('button:text("Replay")').click();
  const dialogText = await page.locator('#confirm-body').innerText();
  if (!dialogText.includes('update_call') || !dialogText.includes('"revenue"')) throw new Error('the confirmation does not say what will be sent:\n' + dialogText);
  await page.click('#confirm-ok');
  await row.waitFor({ state: 'detached' }); // the list, refreshed after the replay, no longer has it as dead
  await page.goto(base + '/console/#/postback/' + deadToReplay);
  for (let i = 0; i < 60; i++) {
    await page.reload();
    await page.waitForSelector('h1');
    if ((await page.locator('h1').innerText()).includes('delivered')) break;
    await page.waitForTimeout(250);
  }
  const replayed = await page.locator('h1').innerText();
  if (!replayed.includes('delivered')) throw new Error('after the replay the postback is: ' + replayed);

  step = 'cancel one';
  await page.goto(base + '/console/#/postback/' + deadToCancel);
  await page.click('button:text("Cancel")');
  await page.click('#confirm-ok');
  await page.waitForSelector('text=cancelled');
  await page.reload();
  await page.waitForSelector('h1:has-text("cancelled")');

  step = 'destinations and the audit of what was done, by token name';
  await page.click('nav >> text=Destinations');
  await page.waitForSelector('h1:text("Destinations")');
  await page.screenshot({ path: shots + '/destinations.png', fullPage: true });
  await page.click('nav >> text=Audit');
  await page.waitForSelector('h1:text("Audit")');
  const audit = await page.locator('table').innerText();
  for (const expected of ['replay', 'cancel', 'postback ' + deadToReplay, 'postback ' + deadToCancel, 'admin']) {
    if (!audit.includes(expected)) throw new Error('the audit lacks "' + expected + '":\n' + audit);
  }
  if (audit.includes(token)) throw new Error('the audit page shows the token');
  await page.screenshot({ path: shots + '/audit.png', fullPage: true });

  step = 'reconcile: the one call whose money differs, fixed by a confirmed postback, then clean';
  await page.click('nav >> text=Reconcile');
  await page.selectOption('#r-since', '1h');
  const reconciled = async () => {
    await page.click('#r-run');
    await page.waitForFunction(() => { const r = document.querySelector('#reconcile-result'); return r && r.innerText && !r.innerText.includes('Reading'); });
    return page.locator('#reconcile-result').innerText();
  };
  const report = await reconciled();
  for (const expected of ['1 mismatch(es), $2.50 at stake', 'amount_differs', mismatchCall, 'Ringba\'s payout 12.50 is not TrackDrive\'s revenue 10.00', 'ringba-payout']) {
    if (!report.includes(expected)) throw new Error('the reconciliation lacks "' + expected + '":\n' + report);
  }
  await page.screenshot({ path: shots + '/reconcile.png', fullPage: true });
  await page.click('#reconcile-result button:text("Fix…")');
  await page.waitForSelector('#confirm[open] #confirm-body pre'); // after the dry run answered
  const fixText = await page.locator('#confirm-body').innerText();
  if (!fixText.includes('ringba-payout') || !fixText.includes('12.5') || !fixText.includes(mismatchCall)) {
    throw new Error('the fix\'s confirmation does not say what will be sent:\n' + fixText);
  }
  await page.click('#confirm-ok');
  await page.waitForSelector('#reconcile-result [role=status]:has-text("sent")');
  let after = '';
  for (let i = 0; i < 60 && !after.includes('agree'); i++) {
    after = await reconciled();
    if (!after.includes('agree')) await page.waitForTimeout(250);
  }
  if (!after.includes('both platforms agree')) throw new Error('after the fix the reconciliation says:\n' + after);

  step = 'a phone\'s width';
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(base + '/console/#/call?q=' + encodeURIComponent(caller));
  await page.waitForSelector('#timeline');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 2) throw new Error('at 390 px the page is ' + overflow + ' px too wide');
  await page.screenshot({ path: shots + '/call-phone.png', fullPage: true });

  if (errors.length) throw new Error(errors.join('\n'));
  console.log('console: every step passed');
} catch (e) {
  console.error('console: failed at "' + step + '": ' + e.message);
  process.exitCode = 1;
} finally {
  await browser.close();
}
