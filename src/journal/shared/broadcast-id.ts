// Broadcast ids: short, human-typable, random. Both SQL adapters draw them the same way.
import { randomBytes } from 'node:crypto';

const ID_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz'; // no 0/1/i/l/o: easy to read out and type

export function newBroadcastId(): string {
  const bytes = randomBytes(7);
  return `b${[...bytes].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('')}`;
}
