# One image for every app; docker-compose picks the entry point per service.
FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && npm run build:console && npm prune --omit=dev
ENV NODE_ENV=production
EXPOSE 3000
CMD ["node", "-r", "./scripts/register-paths.js", "dist/apps/api/src/main.js"]
