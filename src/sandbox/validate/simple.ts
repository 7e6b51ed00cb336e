// Validators for the flat message types: text, media, location, contacts, reaction (FACTS §1).
import { arr, fail, isObj, keys, num, type Obj, obj, onlyKeys, optBool, optStr, str } from './check.js';

const TEXT_KEYS = keys('body', 'preview_url');

export function validateText(v: unknown): void {
  const text = obj(v, 'text');
  onlyKeys(text, TEXT_KEYS, 'text');
  str(text.body, 'text.body', 4096);
  optBool(text.preview_url, 'text.preview_url');
}

export const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

// caption only where WhatsApp shows one; filename only on documents; voice marks an audio as a
// voice note. `provider` is the old on-premises media provider name, still accepted.
const MEDIA_KEYS: Record<MediaType, ReadonlySet<string>> = {
  image: keys('id', 'link', 'caption', 'provider'),
  video: keys('id', 'link', 'caption', 'provider'),
  document: keys('id', 'link', 'caption', 'filename', 'provider'),
  audio: keys('id', 'link', 'voice', 'provider'),
  sticker: keys('id', 'link', 'provider'),
};

/** A media object: exactly one of id or link. Also used for template and interactive headers. */
export function validateMedia(type: MediaType, v: unknown, path: string, allowed = MEDIA_KEYS[type]): void {
  const media = obj(v, path);
  onlyKeys(media, allowed, path);
  checkIdOrLink(media, path);
  optStr(media.caption, `${path}.caption`, 1024);
  optStr(media.filename, `${path}.filename`, 240);
  optBool(media.voice, `${path}.voice`);
}

export function checkIdOrLink(media: Obj, path: string): void {
  const hasId = media.id !== undefined;
  const hasLink = media.link !== undefined;
  if (hasId && hasLink) fail(131009, `${path}: give either id or link, not both`);
  if (!hasId && !hasLink) fail(131008, `${path}: required parameter is missing: id or link`);
  if (hasId) str(media.id, `${path}.id`);
  // Meta's own examples use placeholder links like "<http(s)://audio-url>", so only the type is checked.
  else str(media.link, `${path}.link`, 2048);
}

const LOCATION_KEYS = keys('latitude', 'longitude', 'name', 'address');

export function validateLocation(v: unknown): void {
  const loc = obj(v, 'location');
  onlyKeys(loc, LOCATION_KEYS, 'location');
  const lat = num(loc.latitude, 'location.latitude');
  const lon = num(loc.longitude, 'location.longitude');
  if (lat < -90 || lat > 90) fail(131009, `location.latitude: must be between -90 and 90 (got ${lat})`);
  if (lon < -180 || lon > 180) fail(131009, `location.longitude: must be between -180 and 180 (got ${lon})`);
  // Whether name/address are still required is unconfirmed (FACTS §1): accept them as optional.
  optStr(loc.name, 'location.name', 1000);
  optStr(loc.address, 'location.address', 1000);
}

/** Contact cards are validated loosely: an array of objects, each with name.formatted_name. */
export function validateContacts(v: unknown): void {
  const list = arr(v, 'contacts', 1, 257);
  list.forEach((c, i) => {
    const path = `contacts[${i}]`;
    if (!isObj(c)) fail(100, `${path}: must be an object`);
    const name = obj(c.name, `${path}.name`);
    str(name.formatted_name, `${path}.name.formatted_name`);
    for (const field of ['phones', 'emails', 'urls', 'addresses'] as const) {
      if (c[field] !== undefined && !Array.isArray(c[field])) fail(100, `${path}.${field}: must be an array`);
    }
  });
}

const REACTION_KEYS = keys('message_id', 'emoji');
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function validateReaction(v: unknown): void {
  const reaction = obj(v, 'reaction');
  onlyKeys(reaction, REACTION_KEYS, 'reaction');
  str(reaction.message_id, 'reaction.message_id');
  // An empty emoji removes the reaction, so it is present-but-empty rather than missing.
  if (reaction.emoji === undefined || reaction.emoji === null) fail(131008, 'reaction.emoji: required parameter is missing');
  const emoji = optStr(reaction.emoji, 'reaction.emoji') ?? '';
  let count = 0;
  for (const _ of graphemes.segment(emoji)) count++;
  if (count > 1) fail(131009, `reaction.emoji: must be a single emoji (got ${count} characters)`);
}
