import { formatName, Greeter } from "./lib/format";
const fs = require("fs");
const MAX_USERS = 5;

function main() {
  const g = new Greeter();
  return g.greet(formatName("a", "b"));
}
