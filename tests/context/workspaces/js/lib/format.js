export function formatName(first, last) {
  return `${first} ${last}`;
}

export class Greeter {
  greet(name) {
    return "hello " + name;
  }
}
