/**
 * Blob fuzz (issue "Reliability and security", item 2): random operation
 * sequences on impnet's Blob, checked step by step against a simple
 * reference model written from the spec (tools/rig/reliability/blob-model.ts): every result, every
 * error class, the length and pointer after every step, the bytes (in full
 * up to 64, else by digest) and the final content.
 *
 * Node: IMPNET_FUZZ_BLOB sequences (default 100 000) with a fixed seed.
 * XS: IMPNET_FUZZ_XS_BLOB sequences (default 2 000) generated the same way,
 * replayed inside the XS engine by the harness app, compared with the same
 * model (XS differs from V8 in number and string details).
 */
import test from "ava";
import fc from "fast-check";
import { Blob } from "../../modules/impnet/core/blob";
import { runSequence, type Sequence } from "../../tools/rig/reliability/blob-ops";
import { firstDifference, modelSequence, sequenceArbitrary } from "../../tools/rig/reliability/blob-model";
import { ADDRESS, SIZES } from "../../tools/rig/reliability/common";
import { startHarness } from "../../tools/rig/reliability/harness";

test("Blob operation sequences match the reference model (Node)", (t) => {
  const runs = SIZES.blobRuns();
  let operations = 0;
  let errors = 0;
  fc.assert(
    fc.property(sequenceArbitrary(), (sequence) => {
      const actual = runSequence(Blob, sequence);
      const expected = modelSequence(sequence);
      operations += sequence.ops.length;
      errors += actual.steps.filter((s) => "error" in s.outcome).length;
      const difference = firstDifference(sequence, actual, expected);
      if (difference !== null) throw new Error(difference);
    }),
    { seed: SIZES.seed(), numRuns: runs },
  );
  t.log(`Blob fuzz (Node): ${runs} sequences, ${operations} operations (${errors} threw as the model predicted), seed ${SIZES.seed()}`);
  t.true(operations >= runs);
});

test("the model and the comparison can fail: a wrong blob is caught", (t) => {
  // A sequence whose real result is tampered with must be reported.
  const sequence: Sequence = { create: { op: "from", bytes: [1, 2, 3, 4] }, ops: [{ op: "readn", type: "w" }, { op: "readn", type: "c" }] };
  const actual = runSequence(Blob, sequence);
  const expected = modelSequence(sequence);
  t.is(firstDifference(sequence, actual, expected), null);
  t.deepEqual(actual.steps.map((s) => s.outcome), [{ ok: 0x0201 }, { ok: 3 }]);
  const tampered = structuredClone(actual);
  tampered.steps[1].outcome = { ok: 4 };
  t.regex(firstDifference(sequence, tampered, expected) ?? "", /op #1/);
});

// Found by the fuzz (fixed): -0 passed the integer checks and became the length.
test("Blob.resize(-0) leaves len() and tell() at 0, not -0 (Squirrel integers have no -0)", (t) => {
  const blob = Blob.from(new Uint8Array([1, 2, 3]));
  blob.seek(0, "e");
  blob.resize(-0);
  t.true(Object.is(blob.len(), 0), `len() is ${Object.is(blob.len(), -0) ? "-0" : blob.len()}`);
  t.true(Object.is(blob.tell(), 0), `tell() is ${Object.is(blob.tell(), -0) ? "-0" : blob.tell()}`);
  t.true(Object.is(blob.writeblob(blob), 0));
});

test("Blob operation sequences match the reference model inside XS", async (t) => {
  const count = SIZES.xsBlobSequences();
  const sequences = fc.sample(sequenceArbitrary(), { seed: SIZES.seed() + 1, numRuns: count });
  const harness = await startHarness({ address: ADDRESS.fuzz });
  try {
    let operations = 0;
    const chunk = 200;
    for (let start = 0; start < sequences.length; start += chunk) {
      const batch = sequences.slice(start, start + chunk);
      const results = (await harness.request("blob", { sequences: batch })) as ReturnType<typeof runSequence>[];
      t.is(results.length, batch.length);
      batch.forEach((sequence, i) => {
        operations += sequence.ops.length;
        const difference = firstDifference(sequence, results[i], modelSequence(sequence));
        if (difference !== null) t.fail(`XS sequence #${start + i} ${JSON.stringify(sequence)}: ${difference}`);
      });
    }
    t.log(`Blob fuzz (XS): ${count} sequences, ${operations} operations, seed ${SIZES.seed() + 1}`);
    t.deepEqual(harness.crashes, []);
  } finally {
    await harness.stop();
  }
});
