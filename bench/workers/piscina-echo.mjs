// piscina echo task.
export default function echo(payload) {
  return payload;
}
