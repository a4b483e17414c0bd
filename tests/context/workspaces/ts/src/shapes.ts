export interface Shape {
  area(): number;
}

export type Id = string;

export class Circle implements Shape {
  constructor(private r: number) {}
  area(): number {
    return Math.PI * this.r * this.r;
  }
}

export function totalArea(shapes: Shape[]): number {
  return shapes.reduce((s, x) => s + x.area(), 0);
}
