#!/usr/bin/env node
// A training-like script that crashes with an uncaught exception whose message contains things
// that must never leave the machine: an e-mail address, an API key, a bearer token and a path
// under a home directory (all fake). Run it with the agent and TELEMETRY_AGENT_INSPECT=1 to see
// the `uncaught_exception` span as it would be sent, with the message and stack redacted:
//
//   TELEMETRY_AGENT_ENABLED=1 TELEMETRY_AGENT_INSPECT=1 node --import telemetry-agent examples/crash.mjs
//
// The exit code and the error printed by Node are the same with and without the agent.

const EPOCHS = 5;

function trainEpoch(epoch) {
  // pretend work
  let acc = 0;
  for (let i = 0; i < 1e5; i++) acc += Math.sin(i + epoch);
  return 1 / (epoch + 1) + Math.abs(acc) * 1e-9;
}

let epoch = 0;
function next() {
  const loss = trainEpoch(epoch);
  console.log(`epoch ${epoch + 1}/${EPOCHS}  loss=${loss.toFixed(4)}`);
  epoch++;
  if (epoch === 3) {
    // Thrown from a timer callback: an uncaught exception, not a rejected promise.
    throw new Error(
      'checkpoint upload failed for jane.doe@example.com: ' +
        'api_key=0123456789abcdef0123456789abcdef rejected, ' +
        'Authorization: Bearer FAKEdemoTOKENabcdefghijklmnopqrstuvwxyz012345, ' +
        'file /home/jane/projects/secret-model/checkpoints/epoch-3.bin',
    );
  }
  setTimeout(next, 10);
}
setTimeout(next, 10);
