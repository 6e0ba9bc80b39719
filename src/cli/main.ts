export function main(a: string[]): number { console.log("hi", a); return 0 }
