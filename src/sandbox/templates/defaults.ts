// The templates every sandbox knows. hello_world is the one Meta gives every new WhatsApp Business
// Account (texts and id as in Meta's example response in the v23.0 OpenAPI file); order_update is a
// typical utility template with one body variable. Ids are fixed so GET answers are stable.
import type { TemplateDefinition } from '../../core/template-check.js';

export const DEFAULT_TEMPLATES: readonly TemplateDefinition[] = [
  {
    name: 'hello_world',
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    id: '1192339204654487',
    parameter_format: 'POSITIONAL',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
      {
        type: 'BODY',
        text:
          'Welcome and congratulations!! This message demonstrates your ability to send a message notification from ' +
          'WhatsApp Business Platform’s Cloud API. Thank you for taking the time to test with us.',
      },
      { type: 'FOOTER', text: 'WhatsApp Business API Team' },
    ],
  },
  {
    name: 'order_update',
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    id: '1667192013751005',
    parameter_format: 'POSITIONAL',
    components: [
      { type: 'BODY', text: 'Hi {{1}}, there is news about your order. Reply STOP to stop these updates.' },
      { type: 'FOOTER', text: 'wa-send sandbox' },
    ],
  },
];
