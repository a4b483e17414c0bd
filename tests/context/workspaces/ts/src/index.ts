import { Circle, totalArea } from "./shapes";

export function report(): string {
  const all = [new Circle(1), new Circle(2)];
  return totalArea(all).toFixed(2);
}
