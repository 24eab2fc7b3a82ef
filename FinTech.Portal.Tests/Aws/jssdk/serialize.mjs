// Reads [{service, operation, params}] as JSON on stdin and prints, for each, what the AWS SDK for
// JavaScript v2 would send: the body and the X-Amz-Target header. Nothing is sent anywhere.
import AWS from 'aws-sdk';

const input = JSON.parse(await new Promise(resolve => {
  let text = '';
  process.stdin.on('data', chunk => { text += chunk; });
  process.stdin.on('end', () => resolve(text));
}));

// Timestamps travel as ISO strings in JSON; the SDK wants Date objects for timestamp members.
function withDates(shape, value) {
  if (value === null || value === undefined || !shape) return value;
  switch (shape.type) {
    case 'timestamp': return new Date(value);
    case 'structure': return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withDates(shape.members[k], v)]));
    case 'list': return value.map(v => withDates(shape.member, v));
    case 'map': return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withDates(shape.value, v)]));
    default: return value;
  }
}

const out = input.map(({ service, operation, params }) => {
  const client = new AWS[service]({
    region: 'eu-west-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: new AWS.Credentials('AKIDEXAMPLE', 'secret'),
    paramValidation: true,
  });
  const method = operation[0].toLowerCase() + operation.slice(1);
  const request = client[method](withDates(client.api.operations[method].input, params));
  request.build();
  if (request.response.error) throw request.response.error;
  return { body: request.httpRequest.body, target: request.httpRequest.headers['X-Amz-Target'] ?? null };
});
process.stdout.write(JSON.stringify(out));
