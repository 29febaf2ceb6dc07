// vietqr-check.js -- cross-check dvcbot's VietQR payloads with the independent
// parser and builder of the npm package vietnam-qr-pay (MIT, a test-only
// dependency installed by scripts/install-deps.sh into tests/e2e/node_modules).
//
// stdin: "bin<TAB>account<TAB>amount<TAB>purpose<TAB>payload" lines (test_vietqr --emit N).
// For each line: new QRPay(payload) must be valid, VIETQR, with the same BIN, account,
// amount (none when 0) and purpose; QRPay.initVietQR({...}).build() of the same fields must
// give the byte-identical payload (CRC included). Prints one JSON summary line:
// {"lines": N, "parsed": P, "rebuilt": R, "failures": [first few]}; exit status 0 when
// every line passed both ways, 1 otherwise, 2 when the package is missing.
'use strict';
let QRPay;
try {
    ({ QRPay } = require('vietnam-qr-pay'));
} catch (e) {
    console.log(JSON.stringify({ missing: 'vietnam-qr-pay' }));
    process.exit(2);
}
const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter((l) => l.length);
const out = { lines: lines.length, parsed: 0, rebuilt: 0, failures: [] };
for (const line of lines) {
    const [bin, account, amount, purpose, payload] = line.split('\t');
    const q = new QRPay(payload);
    const want = amount === '0' ? undefined : amount;
    const got = q.amount === undefined || q.amount === '' ? undefined : String(q.amount);
    const parsedOk = q.isValid && q.provider && q.provider.name === 'VIETQR' &&
        q.consumer.bankBin === bin && q.consumer.bankNumber === account && got === want &&
        (q.additionalData.purpose || '') === purpose;
    if (parsedOk) out.parsed++;
    const fields = { bankBin: bin, bankNumber: account, purpose };
    if (want !== undefined) fields.amount = want;
    const built = QRPay.initVietQR(fields).build();
    if (built === payload) out.rebuilt++;
    if ((!parsedOk || built !== payload) && out.failures.length < 5)
        out.failures.push({ line, parsedOk, built });
}
console.log(JSON.stringify(out));
process.exit(out.parsed === out.lines && out.rebuilt === out.lines ? 0 : 1);
