export declare function encodeBounded<E extends { ids: number[] }>(encode: (text: string) => E, text: string, limit: number, fromEnd?: boolean): E;
