// Builds the default letter templates that ship with the product (src/documents/templates/*.docx)
// from the readable source below: `node scripts/build-letter-templates.mjs`. HR edits the result
// in Word and uploads a new version; this script is only the reviewable origin of version 1.
//
// Tags are docxtemplater's: {field}, loops {#list}…{/list}, conditions {#flag}…{/flag} and
// {^flag}…{/flag} (not). A paragraph holding only a loop or condition tag disappears when
// rendered (paragraphLoop). Headings use Word's own Heading 1/2 styles, which LibreOffice
// exports as PDF structure (H1/H2 tags and bookmarks).
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AlignmentType, Document, Footer, HeadingLevel, Packer, PageNumber, Paragraph, TextRun } from 'docx';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'documents', 'templates');

const h1 = (text) => new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun(text)] });
const h2 = (text) => new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(text)] });
const p = (text) => new Paragraph({ children: [new TextRun(text)] });
const bullet = (text) => new Paragraph({ bullet: { level: 0 }, children: [new TextRun(text)] });

const TEMPLATES = {
  reg13_information: {
    title: 'Information to appropriate representatives (TUPE regulation 13)',
    body: [
      p('{today}'),
      p('To the appropriate representatives of the affected employees:'),
      p('{#representatives}'),
      bullet('{name}, {union}'),
      p('{/representatives}'),
      h1('Information to appropriate representatives under regulation 13 of TUPE 2006'),
      p('Programme: {programme}. Consultation: {consultation.title}.'),
      h2('The transfer, its date and the reasons for it'),
      p('{employer} proposes that the work of the affected employees transfers to {destination} on {transferDate}.'),
      p('{reasons}'),
      p('Affected employees: {affected}.'),
      h2('Legal, economic and social implications'),
      p('Legal: {implications.legal}'),
      p('Economic: {implications.economic}'),
      p('Social: {implications.social}'),
      h2('Measures envisaged by each employer'),
      p('{#hasMeasures}'),
      p('{#measures}'),
      bullet('{employer}: {text}'),
      p('{/measures}'),
      p('Where measures are envisaged we will consult you with a view to seeking your agreement to them, consider any representations you make, reply to them and, if we reject any, say why (regulation 13(6) and (7)).'),
      p('{/hasMeasures}'),
      p('{^hasMeasures}'),
      p('Neither employer envisages taking any measures in connection with the transfer in relation to the affected employees.'),
      p('{/hasMeasures}'),
      p('Consultation runs from {consultation.startDate} to {consultation.endDate}.'),
      p('Yours sincerely,'),
      p('{signatory}'),
    ],
  },
  measures_letter: {
    title: 'Measures letter',
    body: [
      p('{today}'),
      h1('Measures envisaged in connection with the transfer to {destination}'),
      p('To the appropriate representatives: {#representatives}{name} ({union}); {/representatives}'),
      p('Under regulation 13(2)(d) and 13(4) of TUPE 2006, {employer} sets out the measures it and {destination} envisage taking in connection with the transfer on {transferDate}.'),
      h2('Measures'),
      p('{#measures}'),
      bullet('{employer}: {text}'),
      p('{/measures}'),
      p('{^measures}'),
      p('No measures are envisaged.'),
      p('{/measures}'),
      h2('Your representations'),
      p('Please send any representations by {consultation.endDate}. We will consider and reply to each, giving reasons for rejecting any.'),
      p('Yours sincerely,'),
      p('{signatory}'),
    ],
  },
  secondment_agreement: {
    title: 'Secondment agreement',
    body: [
      p('{today}'),
      p('{employee.name}, staff number {employee.staffNumber}'),
      h1('Secondment agreement'),
      p('Dear {employee.firstName},'),
      p('This agreement sets out the terms of your secondment from {employer} to {secondment.host}. You remain employed by {employer} throughout.'),
      h2('Your post'),
      p('Post: {post.reference} {post.title} ({post.area}). Grade: {oldGrade}.'),
      h2('Dates'),
      p('The secondment starts on {secondment.startDate} and ends on {secondment.endDate}, unless ended earlier. It will be reviewed by {secondment.reviewDate}.'),
      h2('Pay and pension'),
      p('You keep your grade {oldGrade} and your terms and conditions. Your pension: {pensionArrangement}.'),
      p('{#secondment.staysInLgps}You stay a member of the Local Government Pension Scheme.{/secondment.staysInLgps}'),
      p('{#secondment.recharge}{secondment.host} reimburses {secondment.recharge} per cent of your employment costs.{/secondment.recharge}'),
      p('Yours sincerely,'),
      p('{signatory}'),
    ],
  },
  transfer_letter: {
    title: 'Transfer letter',
    body: [
      p('{today}'),
      p('{employee.name}, staff number {employee.staffNumber}'),
      h1('Your transfer to {destination}'),
      p('Dear {employee.firstName},'),
      p('{#isTupe}Your employment will transfer from {employer} to {destination} on {effectiveDate} under the Transfer of Undertakings (Protection of Employment) Regulations 2006. Your terms and conditions and continuity of service transfer with you.{/isTupe}'),
      p('{#isCosop}Your employment will transfer from {employer} to {destination} on {effectiveDate}. The transfer is between public bodies and is made in line with the Cabinet Office Statement of Practice on Staff Transfers in the Public Sector (COSOP): it is run as if TUPE applied, and your terms and conditions and continuity of service are protected in the same way.{/isCosop}'),
      h2('Your post and grade'),
      p('Your current post: {post.reference} {post.title} ({post.area}), grade {oldGrade}.'),
      p('Your grade with {destination}: {newGrade}.'),
      p('{#hasPayProtection}Your pay is protected until {payProtectionUntil}.{/hasPayProtection}'),
      h2('Your pension'),
      p('Current scheme: {currentPensionScheme}. Arrangement agreed: {pensionArrangement}.'),
      p('Yours sincerely,'),
      p('{signatory}'),
    ],
  },
  eli_cover_letter: {
    title: 'Employee liability information: cover letter',
    body: [
      p('{today}'),
      p('To {transferee}'),
      h1('Employee liability information (TUPE regulation 11)'),
      p('{#release.isDraft}Please find enclosed an anonymised draft of the employee liability information for the employees expected to transfer to you on {transferDate}: people are identified by staff reference only. The named final will follow by {deadline}.{/release.isDraft}'),
      p('{^release.isDraft}Please find enclosed the employee liability information for the {release.personCount} employees transferring to you on {transferDate}, given under regulation 11 of TUPE 2006 at least 28 days before the transfer (by {deadline}).{/release.isDraft}'),
      h2('What the schedule holds'),
      bullet('identity and age; particulars of employment (regulation 11(2)(a) and (b));'),
      bullet('disciplinary action and grievances of the last two years (11(2)(c) and (d));'),
      bullet('claims and actions brought or expected (11(2)(e));'),
      bullet('collective agreements that apply (11(2)(f)).'),
      p('Schedule version {release.version}, sent by {employer}.'),
      p('Yours faithfully,'),
      p('{signatory}'),
    ],
  },
};

const pageFooter = () =>
  new Footer({
    children: [
      new Paragraph({
        alignment: AlignmentType.CENTER,
        children: [new TextRun({ size: 20, children: ['Page ', PageNumber.CURRENT, ' of ', PageNumber.TOTAL_PAGES] })],
      }),
    ],
  });

mkdirSync(out, { recursive: true });
for (const [kind, t] of Object.entries(TEMPLATES)) {
  const doc = new Document({
    title: t.title,
    creator: 'Workforce transition tracker',
    description: `Default ${t.title} template (version 1)`,
    styles: { default: { document: { run: { font: 'Liberation Sans', size: 24 } } } },
    // Every page says which it is and of how many ("Page 2 of 3"): Word and LibreOffice fill the fields in when the
    // letter is laid out, so a printed or forwarded page is never taken for the whole letter.
    sections: [{ children: t.body, footers: { default: pageFooter() } }],
  });
  const buf = await Packer.toBuffer(doc);
  writeFileSync(join(out, `${kind}.docx`), buf);
  console.log(`${kind}.docx ${buf.length} bytes`);
}
